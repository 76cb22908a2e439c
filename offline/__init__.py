"""Run this project offline: Pulumi mocks that record the resource graph, and a client that
drives the policy pack over the engine's analyzer protocol. Shared by the tests, the offline
plan command and the benchmarks."""
