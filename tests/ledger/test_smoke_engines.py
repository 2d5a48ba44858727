from ledger import verify
from tests.conftest import link, make, promise


def test_append_and_verify_on_each_engine(store):
    result = store.append([promise("p1"), make("law.signed", "l1", title="Law"), link("l1", "p1")])
    assert [r.position for r in result.appended] == [2, 3, 4]  # after the source's registration
    assert verify(store).events == 4
