from athena_om.athena.models import LFTag
from athena_om.mapping.tags import lf_tag_label_fqn, lf_tag_labels, lf_tag_to_labels, lf_tags_to_classifications


def test_one_classification_per_key_one_tag_per_value() -> None:
    tags = [LFTag("domain", ("sales", "finance")), LFTag("pii", ("true",)), LFTag("domain", ("sales",))]
    classifications, tag_requests = lf_tags_to_classifications(tags)
    assert [c.name for c in classifications] == ["domain", "pii"]
    assert all(c.description for c in classifications)
    assert "Lake Formation tag key `domain`" in classifications[0].description
    assert [(t.classification, t.name) for t in tag_requests] == [
        ("domain", "sales"),
        ("domain", "finance"),
        ("pii", "true"),
    ]
    assert all(t.description for t in tag_requests)


def test_names_are_encoded_and_dotted_names_quoted() -> None:
    classifications, tag_requests = lf_tags_to_classifications([LFTag("a::b", ("v1.2",))])
    assert classifications[0].name == "a__reserved__colon__b"
    assert classifications[0].displayName == "a::b"
    assert tag_requests[0].name == "v1.2"
    assert tag_requests[0].classification == "a__reserved__colon__b"
    assert lf_tag_label_fqn("a::b", "v1.2") == 'a__reserved__colon__b."v1.2"'


def test_empty_and_oversized_names_are_skipped() -> None:
    classifications, tag_requests = lf_tags_to_classifications(
        [LFTag("", ("x",)), LFTag("k", ("", " ", "y" * 300, "ok"))]
    )
    assert [c.name for c in classifications] == ["k"]
    assert [t.name for t in tag_requests] == ["ok"]


def test_labels_are_automated_confirmed_classification_sorted_and_unique() -> None:
    labels = lf_tag_labels([LFTag("z", ("1",)), LFTag("a", ("x.y", "b")), LFTag("a", ("b",))])
    bodies = [label.to_body() for label in labels]
    assert [b["tagFQN"] for b in bodies] == ['a."x.y"', "a.b", "z.1"]
    assert {(b["source"], b["labelType"], b["state"]) for b in bodies} == {("Classification", "Automated", "Confirmed")}
    assert [label.tagFQN for label in lf_tag_to_labels(LFTag("pii", ("true",)))] == ["pii.true"]
