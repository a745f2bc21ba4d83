"""Pure domain services: feasibility, deadlines and penalties. No I/O, no Word."""
