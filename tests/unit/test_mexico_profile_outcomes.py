"""How the Mexican profile reads a PAC's stamp answers: success, 307, rejection with codes, and 401."""

import pytest

from adapters.ledger.database import make_engine
from adapters.ledger.numbering import NumberAllocator
from adapters.mexico.pac import Incidence, StampAnswer
from adapters.mexico.profile import MexicoProfile
from domain.errors import AuthorityRejected, DocumentExpired


@pytest.fixture
def profile() -> MexicoProfile:
    return MexicoProfile({}, NumberAllocator(make_engine("sqlite://")), {})


def test_stamped_and_previously_stamped_are_both_success(profile: MexicoProfile) -> None:
    assert profile._outcome(StampAnswer(status="stamped")) == "RECEIVED"
    assert profile._outcome(StampAnswer(status="already_stamped")) == "ALREADY_RECEIVED"


def test_a_rejection_carries_the_pacs_codes_and_texts(profile: MexicoProfile) -> None:
    answer = StampAnswer(status="rejected", incidences=(Incidence(code="302", message="Sello mal formado o inválido"),))
    with pytest.raises(AuthorityRejected) as rejected:
        profile._outcome(answer)
    assert [(m.identifier, m.message) for m in rejected.value.messages] == [("302", "Sello mal formado o inválido")]


def test_401_asks_for_a_new_date_instead_of_parking(profile: MexicoProfile) -> None:
    answer = StampAnswer(status="rejected", incidences=(Incidence(code="401", message="Fecha fuera de rango"),))
    with pytest.raises(DocumentExpired):
        profile._outcome(answer)
