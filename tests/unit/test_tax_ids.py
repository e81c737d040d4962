import pytest

from domain.ecuador.tax_ids import cedula_problems, ruc_problems


def test_valid_cedula() -> None:
    assert cedula_problems("buyer.identification", "1713328506") == []


@pytest.mark.parametrize(("value", "code"), [
    ("1713328507", "EC.CEDULA.CHECK_DIGIT"),
    ("171332850", "EC.CEDULA.FORMAT"),
    ("17133285A6", "EC.CEDULA.FORMAT"),
    ("9913328506", "EC.CEDULA.PROVINCE"),
])
def test_invalid_cedulas_name_the_rule(value: str, code: str) -> None:
    problems = cedula_problems("buyer.identification", value)
    assert [p.code for p in problems] == [code]
    assert problems[0].field == "buyer.identification"


@pytest.mark.parametrize("ruc", ["1792146739001", "1760013210001", "1713328506001"])
def test_valid_rucs(ruc: str) -> None:
    assert ruc_problems("issuer.ruc", ruc) == []


def test_natural_person_ruc_with_bad_cedula_is_an_error() -> None:
    assert [p.code for p in ruc_problems("issuer.ruc", "1713328507001")] == ["EC.RUC.CHECK_DIGIT"]


def test_company_ruc_failing_the_algorithm_is_only_a_warning() -> None:
    # Active company RUCs that fail the algorithm exist (reference §9.2): never block on them.
    problems = ruc_problems("buyer.identification", "0993370026001")
    assert [(p.code, p.severity) for p in problems] == [("EC.RUC.CHECK_DIGIT_UNVERIFIABLE", "warning")]


@pytest.mark.parametrize(("value", "code"), [
    ("179214673900", "EC.RUC.FORMAT"),
    ("1792146739000", "EC.RUC.ESTABLISHMENT"),
    ("9992146739001", "EC.RUC.PROVINCE"),
    ("1782146739001", "EC.RUC.TYPE"),
])
def test_structural_ruc_errors(value: str, code: str) -> None:
    assert [p.code for p in ruc_problems("issuer.ruc", value)] == [code]
