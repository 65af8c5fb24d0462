"""The limits every graded notebook runs under, stated once: `dlbook grade --help` shows them, the command line
overrides them, and nbgrader's preprocessors and the sandboxed kernel read them from here."""

from dataclasses import dataclass, field, fields

# Time limits count CPU seconds, which a busy machine does not inflate. A cell or notebook that does not use the
# CPU (it sleeps, waits or has switched its timer off) is stopped after this many times its limit in wall seconds.
WALL_FACTOR = 3


def _limit(default: float, flag: str, unit: str, help: str):
    return field(default=default, metadata={"flag": flag, "unit": unit, "help": help})


@dataclass(frozen=True)
class Limits:
    """What one notebook may use while it is graded."""

    cell_seconds: float = _limit(30.0, "--cell-timeout", "CPU seconds", "a cell that runs longer fails")
    notebook_seconds: float = _limit(600.0, "--notebook-timeout", "CPU seconds",
                                     "a notebook that runs longer stops; its remaining cells fail")
    memory_gib: float = _limit(4.0, "--memory", "GiB", "address space of the notebook's kernel")
    output_chars: int = _limit(20_000, "--output", "characters", "output kept per cell; the rest is dropped")
    file_mib: float = _limit(50.0, "--file-size", "MiB",
                             "largest file kept from a submission, and largest file a notebook may write")

    @property
    def memory_bytes(self) -> int:
        return int(self.memory_gib * 2**30)

    @property
    def file_bytes(self) -> int:
        return int(self.file_mib * 2**20)

    def nbgrader_options(self) -> list[str]:
        """The command-line options that give nbgrader's executing preprocessor these limits."""
        return [f"--SafeExecute.cell_timeout={self.cell_seconds}",
                f"--SafeExecute.notebook_timeout={self.notebook_seconds}",
                f"--SafeExecute.max_output_chars={self.output_chars}"]


DEFAULT = Limits()


def options() -> list[tuple[str, str, type, str, str]]:
    """(attribute, flag, type, metavar, help with unit and default) for each limit, for a command line."""
    return [(f.name, f.metadata["flag"], type(f.default), f.metadata["unit"].split()[-1].upper(),
             f"{f.metadata['help']} ({f.metadata['unit']}; default {f.default:g})") for f in fields(Limits)]

