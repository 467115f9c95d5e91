# Test programs: unit tests, fuzz harnesses, benchmark and stress tools.
include $(wildcard tests/*/*.mk)
