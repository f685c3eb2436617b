"""The judge is not vacuous: a partial write, a 500, an English refusal and control characters
stored are each seen (counted in a throwaway set of counters, not the run's)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from nhatky.models import AuditEvent

from .harness import Fuzzer


def judge(name, **kwargs):
    return Fuzzer(name, stats={}, strict=False, **kwargs)


def test_a_refusal_after_a_write_is_a_partial_write(world):
    def refuse_after_writing():
        AuditEvent.objects.create(action="test", object_type="x", object_id="1")
        raise ValidationError({"reason": "Lý do không hợp lệ."})

    outcome = judge("self").service(refuse_after_writing, inputs={})
    assert outcome.rejected and outcome.partial_write and outcome.changed == ["nhatky_auditevent"]
    assert not AuditEvent.objects.filter(action="test").exists(), "every case is rolled back"


def test_a_crash_a_message_in_english_and_control_characters_stored(world):
    def crash():
        raise KeyError("boom")

    def refuse_in_english():
        raise ValidationError("Enter a valid date.")

    def store_control_characters():
        AuditEvent.objects.create(action="test", object_type="x", object_id="1", reason="a\x01b")

    fuzzer = judge("self")
    assert fuzzer.service(crash, inputs={}).server_error
    assert fuzzer.service(refuse_in_english, inputs={}).message_problems == ["Enter a valid date."]
    stored = fuzzer.service(store_control_characters, inputs={"reason": "a\x01b"}).stored_text
    assert {column for column, _pk in stored} == {"nhatky_auditevent.reason"}
    assert fuzzer.stats["cases"] == 3 and fuzzer.stats["server_errors"] == 1


def test_a_page_that_writes_on_a_get_and_a_form_shown_again(world, login):
    client = login(world["clerk_a"])
    refused = judge("self").view(
        client, "post", reverse("dangvien:exemption_add", args=[world["newcomer"].pk]), {"reason": ""}
    )
    assert refused.rejected and not refused.partial_write and refused.messages
    assert not refused.message_problems, refused.messages
    # Opening a notice marks it read: a write on a GET, which a read-only target must not do.
    from taikhoan.services import notify_many

    notify_many(items=[(world["clerk_a"], "thu", "Thông báo thử", "", "/")])
    notice = world["clerk_a"].notifications.get(key="thu")
    opened = judge("self").view(client, "get", reverse("taikhoan:notification_open", args=[notice.pk]))
    assert opened.partial_write and "taikhoan_notification" in opened.changed


def test_a_page_that_shows_no_refusal_is_accepted_only_as_the_target_says(world, login):
    """An empty POST to the manual receipt answers with the blank form (unbound: no errors shown).
    Counted as accepted by default; a target that says acceptance is a redirect counts it refused,
    so a write it made would be a partial write."""
    client = login(world["clerk_a"])
    url = reverse("dangvien:link_receive_manual", args=[world["issued"].pk])
    fuzzer = judge("self")
    blank = fuzzer.view(client, "post", url, {})
    assert not blank.rejected and fuzzer.stats["accepted"]["self"] == 1
    judged = fuzzer.view(client, "post", url, {}, accepted=lambda response: response.status_code == 302)
    assert judged.rejected and not judged.partial_write and fuzzer.stats["accepted"]["self"] == 1


def test_a_target_whose_every_case_was_refused_fails_its_check(db):
    """check_reached: cases that ran but none accepted (the write never fuzzed) fail the target;
    with refused_too, so do cases all accepted."""
    fuzzer = Fuzzer("svc:example", stats={}, strict=False)
    fuzzer.stats["targets"]["svc:example"] += 3
    with pytest.raises(AssertionError, match="none of 3 cases accepted"):
        fuzzer.check_reached()
    fuzzer.stats["accepted"]["svc:example"] += 3
    fuzzer.check_reached()
    with pytest.raises(AssertionError, match="no refusal"):
        fuzzer.check_reached(refused_too=True)
