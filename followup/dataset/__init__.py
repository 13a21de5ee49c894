"""A deterministic national dataset for load tests and benchmarks (`generate_dataset`)."""

from followup.dataset.generator import generate_dataset

__all__ = ["generate_dataset"]
