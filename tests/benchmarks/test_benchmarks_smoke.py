"""The benchmark code runs at its smallest size and writes well-formed tables (no timing asserted)."""

from __future__ import annotations

import pytest

from benchmarks import program, report
from benchmarks.policy import PolicyRow
from offline.program import ProgramRun, run_pulumi


@pytest.fixture(scope="module")
def archive_outputs() -> dict[str, object]:
    return program.run_program(program.ARCHIVE_STACK).outputs


def _table_rows(document: str, header_start: str) -> list[list[str]]:
    lines = document.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith(header_start))
    table: list[str] = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append(line)
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in table]


def test_the_floor_registers_the_programs_custom_resources_with_the_same_types_names_and_inputs(
    archive_outputs: dict[str, object],
) -> None:
    case = program.source_case(10, 1, archive_outputs)
    recorded = case.run()
    floor: ProgramRun = run_pulumi(
        program.floor_program(recorded.registrations),
        stack=case.stack,
        config=case.config,
        stack_outputs=case.stack_outputs,
    )

    def custom(run: ProgramRun) -> list[tuple[str, str, dict[str, object]]]:
        registered = [(r.type, r.name, r.inputs) for r in run.registrations if r.custom]
        return sorted(registered, key=lambda entry: (entry[0], entry[1]))

    assert custom(floor) == custom(recorded)
    assert [r for r in floor.registrations if not r.custom] == []


def test_an_archive_size_whose_account_list_is_refused_is_measured_in_the_organization_form() -> None:
    case = program.archive_case(100, 17, 1)

    assert case.config["log-archive:organizationId"] == program.ORGANIZATION_ID
    assert (
        case.note == "organization form (account list refused: ConfigError on log-archive:sourceAccountIds)"
    )


def test_the_smallest_sizes_render_tables_with_one_cell_per_column(
    archive_outputs: dict[str, object],
) -> None:
    rows = [
        program.measure(program.archive_case(1, 1, 1)),
        program.measure(program.source_case(10, 1, archive_outputs)),
    ]
    policy_rows = [PolicyRow(10, 2.0, 1.0, 1.0, 0.5)]

    document = report.render("uv run python -m benchmarks --quick", rows, policy_rows, None)

    program_table = _table_rows(document, "| stack |")
    assert [len(cells) for cells in program_table] == [12] * 4
    assert [cells[1] for cells in program_table[2:]] == ["1 accounts x 1 regions", "10 log groups"]
    assert [cells[2] for cells in program_table[2:]] == [str(rows[0].resources), "11"]
    policy_table = _table_rows(document, "| resources |")
    assert policy_table[2] == ["10", "2.000", "1.000", "2.00", "1.000", "0.500", "2.00"]
    assert "- CPUs (`nproc`): " in document
