"""The benchmark harness (`python -m bench`): throughput, latency, cost, backlog drain and memory of the
invoice pipeline on one machine, next to a seven-activity baseline measured in the same run."""
