import builtins
import keyword

from hypothesis import given
from hypothesis import strategies as st

from flowgen.generate import naming


def test_snake_case_splits_camel_case_acronyms_and_digits() -> None:
    assert naming.snake_case("accountId", fallback="var") == "account_id"
    assert naming.snake_case("HTTPServerURL", fallback="var") == "http_server_url"
    assert naming.snake_case("address2Line", fallback="var") == "address2_line"
    assert (
        naming.snake_case("Refresh_Q3_Forecast", fallback="var")
        == "refresh_q3_forecast"
    )


def test_double_underscore_salesforce_names() -> None:
    assert (
        naming.snake_case("acme__Sync_Inventory", fallback="flow")
        == "acme_sync_inventory"
    )
    assert naming.snake_case("Invoice__c", fallback="var") == "invoice_c"


def test_keywords_soft_keywords_and_builtins_get_a_trailing_underscore() -> None:
    for name in [
        "class",
        "from",
        "import",
        "lambda",
        "match",
        "case",
        "type",
        "id",
        "input",
        "format",
        "list",
    ]:
        assert naming.snake_case(name, fallback="var") == name + "_"


def test_leading_digits_and_non_ascii() -> None:
    assert naming.snake_case("3rdParty", fallback="var") == "var_3rd_party"
    assert naming.snake_case("Données_Clés", fallback="var") == "donnees_cles"
    assert naming.snake_case("データ", fallback="var") == "var"
    assert naming.snake_case("__", fallback="flow") == "flow"


def test_collisions_get_suffixes_of_their_own_and_exact_names_win() -> None:
    names = naming.unique_names(["myVar", "MyVar", "my_var"], fallback="var")
    # The suffixes are the first hex digits of each name's SHA-256:
    # hashlib.sha256(b"MyVar").hexdigest()[:4] == "15aa".
    assert names == {"my_var": "my_var", "MyVar": "my_var_15aa", "myVar": "my_var_b627"}
    assert naming.collision_suffix("MyVar") == "15aa"
    assert naming.collision_suffix("myVar") == "b627"


def test_reserved_names_read_as_trailing_underscore() -> None:
    names = naming.unique_names(
        ["client", "clientId", "Client"], fallback="var", taken={"client"}
    )
    assert names == {
        "client": "client_",
        "clientId": "client_id",
        "Client": f"client_{naming.collision_suffix('Client')}",
    }


def test_suffix_never_takes_another_names_base() -> None:
    names = naming.unique_names(["myVar", "my_var", "my_var_2"], fallback="var")
    assert names["my_var_2"] == "my_var_2"
    assert names["myVar"] == "my_var_b627"
    assert len(set(names.values())) == 3


def test_class_stems_join_words_and_keep_underscores_only_to_stay_distinct() -> None:
    stems = naming.class_stems(["synth_flow_0001", "create_case", "q3_forecast_2"])
    assert stems == {
        "synth_flow_0001": "SynthFlow0001",
        "create_case": "CreateCase",
        "q3_forecast_2": "Q3Forecast2",
    }
    # my_var_2 and my_var2 would both be MyVar2: that group keeps pascal_case's
    # spellings; a name outside the group is not affected.
    assert naming.class_stems(["my_var_2", "my_var2", "other_1"]) == {
        "my_var_2": "MyVar_2",
        "my_var2": "MyVar2",
        "other_1": "Other1",
    }


@given(
    st.sets(
        st.from_regex(r"[a-z][a-z0-9]{0,3}(_[a-z0-9]{1,3}){0,3}", fullmatch=True),
        max_size=12,
    )
)
def test_class_stems_are_distinct_identifiers(names: set[str]) -> None:
    stems = naming.class_stems(names)
    assert len(set(stems.values())) == len(names)
    assert all(stem.isidentifier() for stem in stems.values())


def test_pascal_case_is_injective_where_digits_start_a_word() -> None:
    assert naming.pascal_case("create_case") == "CreateCase"
    assert naming.pascal_case("my_var_2") != naming.pascal_case("my_var2")
    assert naming.pascal_case("class_") == "Class"


def test_type_aliases_keep_salesforce_spelling() -> None:
    aliases = naming.unique_type_aliases(
        ["Account", "Invoice__c", "Outer$Inner", "Outer_Inner", "dict"]
    )
    assert aliases == {
        "Account": "Account",
        "Invoice__c": "Invoice__c",
        "Outer_Inner": "Outer_Inner",  # the exact spelling keeps the plain name
        "Outer$Inner": "Outer_Inner_95b9",
        "dict": "dict_",
    }


def _valid(ident: str) -> bool:
    return (
        ident.isidentifier()
        and ident.isascii()
        and not keyword.iskeyword(ident)
        and not keyword.issoftkeyword(ident)
        and not hasattr(builtins, ident)
        and not ident.startswith("_")
    )


@given(st.lists(st.text(max_size=30), max_size=12))
def test_any_names_give_valid_distinct_identifiers(names: list[str]) -> None:
    result = naming.unique_names(names, fallback="var", taken={"client"})
    assert set(result) == set(names)
    assert len(set(result.values())) == len(set(names))
    assert "client" not in result.values()
    for ident in result.values():
        assert _valid(ident), ident
        assert naming.pascal_case(ident).isidentifier()


@given(st.lists(st.text(max_size=20), max_size=8), st.randoms())
def test_result_does_not_depend_on_listing_order(names: list[str], rnd) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(names)
    rnd.shuffle(shuffled)
    assert naming.unique_names(names, fallback="var") == naming.unique_names(
        shuffled, fallback="var"
    )


_WORD = st.text(alphabet="ab12", min_size=1, max_size=3)
_SNAKE = (
    st.lists(_WORD, min_size=1, max_size=4)
    .map("_".join)
    .filter(lambda s: s[0].isalpha())
)


@given(st.sets(_SNAKE, max_size=10))
def test_pascal_case_keeps_distinct_snake_names_distinct(names: set[str]) -> None:
    assert len({naming.pascal_case(name) for name in names}) == len(names)


def test_same_spelling_in_another_case_wins_over_other_separators() -> None:
    names = naming.unique_names(
        ["UpdateOrderStatus", "Update_Order_Status"], fallback="flow"
    )
    assert names == {
        "Update_Order_Status": "update_order_status",
        "UpdateOrderStatus": "update_order_status_e431",
    }


def test_a_suffix_that_meets_another_name_grows_longer() -> None:
    taken_by_a_flow = f"my_var_{naming.collision_suffix('MyVar')}"
    names = naming.unique_names(["my_var", "MyVar", taken_by_a_flow], fallback="var")
    assert names[taken_by_a_flow] == taken_by_a_flow
    assert names["MyVar"] == f"my_var_{naming.collision_suffix('MyVar', 8)}"


def _base(name: str) -> str:
    return naming.snake_case(name, fallback="var")


@given(
    st.sets(st.text(alphabet="aAb_1", max_size=6), max_size=8),
    st.text(alphabet="aAb_1", max_size=6),
)
def test_adding_a_name_renames_at_most_the_plain_holder_of_its_own_group(
    names: set[str], added: str
) -> None:
    before = naming.unique_names(names, fallback="var", taken={"client"})
    after = naming.unique_names(names | {added}, fallback="var", taken={"client"})
    renamed = {name for name in names if before[name] != after[name]}
    # Only the member that held the group's plain name can lose it, and only
    # to a name that snake-cases alike and spells the identifier more closely.
    assert len(renamed) <= 1
    for name in renamed:
        assert _base(name) == _base(added)
        assert before[name] in (_base(name), _base(name) + "_")


def test_adding_a_colliding_name_that_ranks_later_renames_nothing() -> None:
    names = ["Update_Order_Status", "UpdateOrderStatus"]
    before = naming.unique_names(names, fallback="flow")
    after = naming.unique_names([*names, "UpdateOrderSTATUS"], fallback="flow")
    assert {name: after[name] for name in names} == before
    assert after["UpdateOrderSTATUS"] == (
        f"update_order_status_{naming.collision_suffix('UpdateOrderSTATUS')}"
    )
