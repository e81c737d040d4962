"""Figures every section reports the same way: CPU per item per process, and the machine's noise."""

from bench.accounting import Window
from bench.report import Figure

WORKER_PREFIX = "worker-"


def cpu_figures(section: str, window: Window, items: int, unit_item: str, workers: tuple[str, ...]) -> list[Figure]:
    """CPU ms per item: the workers together, the Temporal server, then every process on its own."""
    per = window.ms_per(items)
    method = (f"utime+stime from /proc/<pid>/stat before and after the timed run, divided by the {items} "
              f"{unit_item}s completed in it (includes idle polling during the run)")
    worker_total = sum(v for k, v in per.items() if k.split("#")[0] in workers)
    figures = [
        Figure(section, f"CPU workers ({' + '.join(w.removeprefix(WORKER_PREFIX) for w in workers)})",
               worker_total, f"ms/{unit_item}", method),
        Figure(section, "CPU temporal server", per.get("temporal-server"), f"ms/{unit_item}", method),
    ]
    for name, value in sorted(per.items()):
        if name != "temporal-server" and (value >= 0.5 or name.split("#")[0] in workers):
            figures.append(Figure(section, f"CPU {name}", value, f"ms/{unit_item}", method))
    return figures


def noise_figure(section: str, window: Window) -> Figure:
    return Figure(section, "machine noise: other processes", window.other_cores, "cores",
                  "CPU the whole machine used (/proc/stat) minus our processes' CPU, over the run's wall time; "
                  "other engineers' tests share these 2 cores, so figures in this section carry that noise")
