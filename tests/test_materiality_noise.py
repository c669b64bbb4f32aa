"""The noise checks: each one, on a real revision of the labelled set, is what makes a
change editorial; the list is data (order, switching one off, adding a pattern), and a
misspelt check is refused in one line."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from policydocs.compare import compare
from policydocs.errors import UserError
from policydocs.evaluate import load_cases
from policydocs.materiality import CHECKS, assess, judge_change, load_rules
from policydocs.materiality.clauses import clauses_of
from policydocs.materiality.noise import document_evidence

RULES_DIR = Path(__file__).resolve().parents[1] / "src" / "policydocs" / "rules"

# check → (real labelled case, the start of the old text and of the new text of the change it decides)
REAL_CASES = {
    "whitespace": ("am-0001", "\xa0", ""),
    "case": ("am-0082", "agreement", "Agreement"),
    "quotes": ("bc-0027", "You'll", "You’ll"),
    "link": ("am-0033", "en.blog.wordpress.com", "www.theverge.com"),
    "renumbering": ("am-0072", "15", "17"),
    "markdown": ("am-0004", "**\n**", ""),
    "punctuation": ("am-0038", "", "."),
    "invisible": ("am-0183", "<!--\n This is the Terms of Service", ""),
    "markup": ("am-0024", "<dt>", ""),
    "reflow": ("am-0052", "**_Emergency", "#### Emergency"),
    "same-clause": ("ota-0430", "58", "59"),
    "function-words": ("am-0105", "you", "your"),
    "stamp": ("bc-0001", "", "*Last updated: May 24, 2018*"),
    "announcement": ("ota-1744", "", "We’re updating our Terms of Service"),
    "capture": ("ota-1429", "", "Cookie Notice"),
    "changelog-entry": ("am-0020", "", "* January 30, 2015: Cleaned up section 2"),
    "heading": ("am-0041", "", "### Terms of Service"),
    "section-numbers": ("am-0118", "17", "16"),
    "spelling": ("am-0017", "web site", "website"),  # also "betterchange" → "better" (am-0044)
    "grammar-word": ("am-0199", "", "able "),
    "consistent-rename": ("am-0062", "Google Apps", "G Suite"),
    "rename": ("am-0111", "Polldaddy", "Crowdsignal"),
    "name-expansion": ("ota-2920", "Mistral", "the Mistral AI Products"),
    "self-reference": ("am-0184", "Automattic Inc.", "our Privacy Policy"),
    "own-name": ("bc-0143", "3", "4"),
    "voice": ("bc-0073", "Refunds are processed", "We process refunds"),  # "Basecamp 3" → "Basecamp 4": the publisher's product, a new version
    "link-sentence": ("bc-0050", "please see our", "we've outlined"),
    "link-text": ("am-0164", "Recurring ", ""),
    "name-shortened": ("am-0166", "Recurring", "the"),
    "cross-reference": ("bc-0111", "below", "in the Website Interactions section"),
    "table-header": ("ota-9002", "", "| Entity | Processing location |"),
    "defined-term": ("am-0086", "", '("Terms") '),
    "informational": ("bc-0004", "", "For more information about how we keep"),
    "definition": ("ota-3213", "", "1.4 **“Customer Applications”** means"),
    "pointer-sentence": ("am-0157", "", "and sources of that information"),
    "contact-sentence": ("am-0031", "", "and include \"emergency\" in the subject line"),
    "label-line": ("am-0073", "", "Designated Copyright Agent"),
}
# Checks no labelled revision exercises yet: shown on a real sentence shape instead.
WITHOUT_A_LABELLED_CASE = {"tense", "repeat", "moved-phrase", "said-elsewhere", "abbreviation", "enumerator"}


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.fixture(scope="module")
def cases():
    return {case.id: case for case in load_cases()}


def _judged(case, rules):
    """The case judged as the evaluation judges it: with its publisher's own names."""
    rules = rules.with_words("own-name", case.names)
    comparison = compare(case.old, case.new)
    clauses = clauses_of(comparison)
    document = document_evidence(comparison, rules)
    return [(change, *judge_change(change, rules, clauses.get(change.id), document))
            for change in comparison.changes]


def _the_change(judged, old_start: str, new_start: str):
    found = [(c, noise, reasons) for c, noise, reasons in judged
             if c.old_text.startswith(old_start) and c.new_text.startswith(new_start)]
    assert found, f"no change starting {old_start!r} → {new_start!r}"
    return found[0]


def test_every_declared_check_has_a_real_case_or_is_named_as_lacking_one(rules):
    declared = {spec.name for spec in rules.noise}
    assert declared == set(CHECKS)
    assert declared == set(REAL_CASES) | WITHOUT_A_LABELLED_CASE


@pytest.mark.parametrize("name", sorted(REAL_CASES))
def test_the_check_makes_its_real_change_editorial_and_names_it(name, rules, cases):
    case_id, old_start, new_start = REAL_CASES[name]
    assert cases[case_id].material is False
    change, noise, reasons = _the_change(_judged(cases[case_id], rules), old_start, new_start)
    assert (noise, reasons) == (name, ())


def test_every_check_says_why_it_is_safe():
    for name, check in CHECKS.items():
        assert check.__doc__ and len(check.__doc__.split()) >= 8, name


def test_the_site_shows_the_checks_name_as_the_editorial_kind(rules, cases):
    assessed = assess(compare(cases["am-0111"].old, cases["am-0111"].new), rules)
    renamed = [c for c in assessed.changes if c.old_text.startswith("Polldaddy")]
    assert renamed and all(c.kind == "editorial" and c.editorial == "rename" and not c.material for c in renamed)


def test_a_future_auxiliary_dropped_before_the_same_verb_keeps_the_commitment(rules):
    old = "Once the law takes effect, we will extend these rights to every user.\n"
    new = "Once the law takes effect, we extend these rights to every user.\n"
    (change,) = compare(old, new).changes
    assert judge_change(change, rules)[0] == "tense"
    flipped = compare(old, old.replace("will extend", "may extend")).changes[0]
    assert judge_change(flipped, rules)[1], "will → may is material"


def test_a_duplicated_run_of_the_same_clause_is_a_repeat(rules):
    old = "We keep your data for 30 days. We keep your data for 30 days after you delete it.\n"
    new = "We keep your data for 30 days after you delete it.\n"
    (change,) = compare(old, new).changes
    assert judge_change(change, rules) == ("repeat", ())


def test_a_project_can_switch_a_check_off_and_the_change_is_judged_as_content(tmp_path, cases):
    own = tmp_path / "rules.yml"
    own.write_text(yaml.safe_dump({"noise": [{"check": "rename", "off": True},
                                             {"check": "consistent-rename", "off": True}]}))
    case = cases["am-0111"]
    with_rename = assess(compare(case.old, case.new), load_rules())
    without = assess(compare(case.old, case.new), load_rules(extra=own))
    assert not with_rename.material
    assert without.material
    assert any(c.old_text.startswith("Polldaddy") and c.kind == "content" for c in without.changes)


def test_a_project_can_add_a_pattern_to_a_check_without_code(tmp_path):
    old = "We sell nothing.\n"  # a capture that picked up the site's newsletter box
    new = "We sell nothing.\n\nJoin our newsletter: we may email you about your data.\n"
    plain_rules = load_rules()
    assert assess(compare(old, new), plain_rules).material
    own = tmp_path / "rules.yml"
    own.write_text(yaml.safe_dump({"noise": [{"check": "capture", "patterns": [r"\bjoin our newsletter\b"]}]}))
    assessed = assess(compare(old, new), load_rules(extra=own))
    assert not assessed.material
    assert "capture" in [c.editorial for c in assessed.changes]


def test_a_misspelt_check_is_one_line_naming_the_file(tmp_path):
    own = tmp_path / "rules.yml"
    own.write_text(yaml.safe_dump({"noise": [{"check": "renames", "off": True}]}))
    with pytest.raises(UserError) as raised:
        load_rules(extra=own)
    message = str(raised.value)
    assert "\n" not in message and str(own) in message and "renames" in message and "rename" in message


def test_the_builtin_list_runs_in_the_order_of_noise_yml(rules):
    declared = [entry["check"] for entry in
                yaml.safe_load((RULES_DIR / "noise.yml").read_text(encoding="utf-8"))["noise"]]
    assert [spec.name for spec in rules.noise] == declared
    assert declared[:7] == ["whitespace", "case", "quotes", "link", "renumbering", "markdown", "punctuation"]


def test_a_new_subprocessor_in_a_list_is_material_with_no_topic_word_in_sight(rules, cases):
    assessed = assess(compare(cases["bc-0213"].old, cases["bc-0213"].new), rules)
    assert assessed.material
    (reason,) = [r for c in assessed.changes for r in c.reasons]
    assert "Convert.com" in reason.explanation and "added the list item" in reason.explanation


def test_a_rename_is_not_assumed_for_the_name_that_heads_a_list_entry(rules, cases):
    case = cases["bc-0133"]  # Google reCAPTCHA → hCaptcha in a list of subprocessors
    assert case.material
    assert assess(compare(case.old, case.new), rules).material
    unchanged = replace(case, new=case.old)
    assert not assess(compare(unchanged.old, unchanged.new), rules).material


def test_the_publishers_own_name_swapped_for_we_is_a_self_reference(rules):
    intro = "Basecamp makes software. Basecamp hosts your data in the US. Basecamp answers email.\n\n"
    old = intro + "Basecamp also retains the right to suspend accounts.\n"
    new = intro + "We also retain the right to suspend accounts.\n"
    assessed = assess(compare(old, new), rules)
    assert not assessed.material and "self-reference" in [c.editorial for c in assessed.changes]
    third_party = "Google also retains the right to suspend accounts.\n"
    assert assess(compare(intro + third_party, intro + "We also retain the right to suspend accounts.\n"),
                  rules).material, "a party named once and replaced by we is a new party"


def test_a_phrase_moved_within_its_clause_is_not_material_but_swapped_parties_are(rules):
    old = "As much as possible, we look for root cause solutions to avoid outages.\n"
    new = "We look for root cause solutions as much as possible to avoid outages.\n"
    assessed = assess(compare(old, new), rules)
    assert not assessed.material
    assert "moved-phrase" in [c.editorial for c in assessed.changes]


def test_a_sentence_the_old_text_already_says_is_said_elsewhere(rules):
    sentence = "You can report violative content to us directly from the app by choosing Report Issue."
    old = f"## Safety\n\nWe review reports.\n\n## Reporting\n\n{sentence}\n"
    new = f"## Safety\n\nWe review reports.\n\n{sentence}\n\n## Reporting\n\n{sentence}\n"
    assessed = assess(compare(old, new), rules)
    assert not assessed.material
    assert "said-elsewhere" in [c.editorial for c in assessed.changes]


# The classes of false alarm the issue names (made-up sentences in their style), each
# with the material change beside it that the same check must not swallow.
CLASSES = [
    # OpenAI's connector terms turned app developer terms (genai-eu): items relabelled
    ("enumerator", "(a) **Access.** We may: (i) access your API; and (ii) keep logs for 30 days.\n",
     "1.1 Access. We may: (a) access your API; and (b) keep logs for 30 days.\n",
     "1.1 Access. We may: (a) access your API; and (b) keep logs for 90 days.\n"),
    ("invisible", "Please read this policy. <!-- lint-disable-line -->\n",
     "Please read this policy. <!-- lint-disable-line max-len -->\n",
     "Please read this policy. We sell your data.\n"),
    ("invisible", "We sell nothing.\n\n[privacy]: https://a.example/p\n",
     "We sell nothing.\n\n[privacy]: https://b.example/p\n",
     "We sell nothing to advertisers only.\n\n[privacy]: https://a.example/p\n"),
    ("cross-reference", "We may share usage data as our Cookie Policy describes.\n",
     "We may share usage data as described in section 4 below.\n",
     "We may share usage data with advertisers in section 4 below.\n"),
    ("cross-reference", 'To close it, see "Managing your account."\n', 'To close it, see "Account settings."\n',
     'To close it, email us within 30 days.\n'),
    ("consistent-rename",
     '"Support Services" means the help we give.\n\nWe provide Support Services by email. Support Services are free.\n',
     '"Technical Services" means the help we give.\n\nWe provide Technical Services by email. Technical Services are free.\n',
     '"Support Services" means the help we give.\n\nWe provide Support Services by email. Support Services cost $5.\n'),
    ("consistent-rename", "The workspace admin can delete data. Ask your workspace admin for access.\n",
     "The workspace owner can delete data. Ask your workspace owner for access.\n",
     "The workspace admin cannot delete data. Ask your workspace admin for access.\n"),
    ("abbreviation", "Read the docs for details on deleting your data.\n",
     "Read the documentation for details on deleting your data.\n",
     "Read the docs for details on selling your data.\n"),
    ("abbreviation", "Your org can export your data.\n", "Your organization can export your data.\n",
     "Your org cannot export your data.\n"),
    ("tense", "Once the law takes effect, we will extend these rights to all users.\n",
     "We extend these rights to all users.\n",
     "Once the law takes effect, we may extend these rights to all users.\n"),
]


@pytest.mark.parametrize("name, old, new, material_new", CLASSES)
def test_each_false_alarm_class_is_editorial_and_its_material_neighbour_is_not(name, old, new, material_new, rules):
    assessed = assess(compare(old, new), rules)
    assert not assessed.material
    assert name in [c.editorial for c in assessed.changes]
    assert assess(compare(old, material_new), rules).material


@pytest.mark.parametrize("old, new", [
    # a name folded into the wider name the text already uses: the rules now bind every service
    ("Do not misuse the AI API Services. Use of AI API Services is logged. The Services are ours.\n",
     "Do not misuse the Services. Use of the Services is logged. The Services are ours.\n"),
    # one plan of a list dropped, in both places: an entry cut, not a name shortened
    ("It covers Le Chat Pro, Team, Le Chat Enterprise. Team, Le Chat Enterprise users may export.\n",
     "It covers Le Chat Pro, Le Chat Enterprise. Le Chat Enterprise users may export.\n"),
    # shortened in one place while the old name still stands in another
    ("Recurring Payments cost 5%. Refunds follow the Recurring Payments rules.\n",
     "Payments cost 5%. Refunds follow the Recurring Payments rules.\n"),
])
def test_a_name_shortened_into_another_name_or_an_entry_cut_from_a_list_is_material(old, new, rules):
    assert assess(compare(old, new), rules).material


@pytest.mark.parametrize("new", [
    "Please contact us at privacy@example.com or privacy@other.example if you have a question.\n",  # a new address
    "You must contact us at privacy@example.com within 30 days if you have a question.\n",  # a duty and a deadline
    "Please contact us at privacy@example.com if you want us to delete your data.\n",  # a topic: deletion
    "Please contact Acme Support at privacy@example.com if you have a question.\n",  # another party
])
def test_a_contact_sentence_that_changes_an_address_a_duty_a_topic_or_the_party_is_material(new, rules):
    old = "Please contact us at privacy@example.com if you have a question.\n"
    assert assess(compare(old, "Please contact us at privacy@example.com and put \"question\" in the subject line "
                               "if you have a question.\n"), rules).material is False
    assert assess(compare(old, new), rules).material


def test_a_topic_word_renamed_everywhere_is_still_material(rules):
    old = "We share data with our Affiliates. Our Affiliates keep it safe.\n"
    new = "We share data with our Partners. Our Partners keep it safe.\n"
    assert assess(compare(old, new), rules).material


# A name swapped where the clause is about who gets, keeps or governs the data is another
# party, never a rename (missing one is the worst error); a rebrand shows it is the same.
OTHER_PARTIES = [
    ("We share data with Google.\n", "We share data with Facebook.\n"),
    ("Disputes are governed by the laws of California.\n", "Disputes are governed by the laws of Delaware.\n"),
    ("Our data protection officer is Jane Smith.\n", "Our data protection officer is John Doe.\n"),
    ("Payments are processed by Stripe.\n", "Payments are processed by PayPal.\n"),
    ("Basecamp may cancel accounts.\n", "Google may cancel accounts.\n"),
    ("We keep backups in Amazon Web Services.\n", "We keep backups in Google Cloud.\n"),
    ("We store data in the EU.\n", "We store data in the US.\n"),
    ("These Terms are governed by Irish law.\n", "These Terms are governed by English law.\n"),
]


@pytest.mark.parametrize("old, new", OTHER_PARTIES)
def test_another_party_in_a_clause_about_parties_is_material(old, new, rules):
    assert assess(compare(old, new), rules).material


def test_a_rebrand_that_keeps_the_address_or_is_our_own_product_is_a_rename(rules, cases):
    for case_id in ("ota-3037", "ota-2722"):  # xAI → SpaceXAI at the same address; our services such as Le Chat → Vibe
        case = cases[case_id]
        assessed = assess(compare(case.old, case.new), rules)
        assert not case.material and not assessed.material
        assert "rename" in [c.editorial for c in assessed.changes]


@pytest.mark.parametrize("old, new", [
    ("## We do not train on your business data\n\nText.\n", "## We train on your business data\n\nText.\n"),
    ("## We never sell your data\n\nText.\n", "## We sell your data\n\nText.\n"),
    ("## Retention: 30 days\n\nText.\n", "## Retention: 90 days\n\nText.\n"),
    ("We sell nothing.\n---\n", "We sell everything.\n---\n"),  # a setext heading
])
def test_a_heading_that_flips_a_promise_or_a_figure_is_material(old, new, rules):
    assert assess(compare(old, new), rules).material


def test_a_heading_reworded_or_renumbered_is_not(rules):
    for old, new in (("## Data retention\n\nText.\n", "## How long we keep data\n\nText.\n"),
                     ("## 3. Sharing\n\nText.\n", "## 4. Sharing\n\nText.\n")):
        assert not assess(compare(old, new), rules).material


def test_front_matter_of_any_keys_is_invisible_and_text_after_it_is_not(rules):
    long = "We explain how we share your data with partners and advertisers around the world for marketing"
    old = "---\ntitle: Privacy\nexcerpt: How we use your data\nog_image: /a.png\n---\nWe sell nothing.\n"
    new = f"---\ntitle: Privacy\nexcerpt: {long}\nog_image: /b.png\n---\nWe sell nothing.\n"
    assessed = assess(compare(old, new), rules)
    assert not assessed.material and {c.editorial for c in assessed.changes} == {"invisible"}
    assert assess(compare(old, old.replace("We sell nothing.", "We sell your data.")), rules).material


@pytest.mark.parametrize("old, new", [
    ("Prices include VAT.\n", "Prices exclude VAT.\n"),
    ("See [our subprocessors](/subprocessors).\n", "See [our subprocessors](/subprocessors), which now include Google.\n"),
    ("Our partners include Acme. Acme processes payments.\n", "Our partners include Beta. Beta processes payments.\n"),
])
def test_a_party_or_condition_said_in_passing_is_still_material(old, new, rules):
    assert assess(compare(old, new), rules).material


def _verdicts(old: str, new: str, rules) -> list[tuple[str | None, bool]]:
    comparison = compare(old, new)
    clauses, document = clauses_of(comparison), document_evidence(comparison, rules)
    return [(noise, bool(reasons)) for noise, reasons in
            (judge_change(c, rules, clauses.get(c.id), document) for c in comparison.changes)]


def test_one_of_the_publishers_declared_names_for_another_is_editorial_and_a_stranger_is_not(rules):
    own = rules.with_words("own-name", ["Basecamp", "37signals"])
    old = "Backups of your files are kept by Basecamp in its data centers for 30 days.\n"
    new = old.replace("by Basecamp in", "by 37signals in")
    assert _verdicts(old, new, own) == [("own-name", False)]
    assert _verdicts(old, old.replace("by Basecamp in", "by Acme in"), own) == [(None, True)], "another party"
    assert _verdicts(old, new, rules) == [(None, True)], "undeclared names are not known to be ours"


def test_a_name_the_text_defines_as_we_is_the_publishers_own_without_declaring_it(rules):
    old = ('Acme Widgets LLC ("we", "us") runs this site.\n\n'
           "If you haven't used Acme Widgets since then, we refund the month.\n")
    new = old.replace("used Acme Widgets since", "used it since")
    assert _verdicts(old, new, rules) == [("own-name", False)]


def test_a_switch_between_two_of_the_publishers_entities_where_data_goes_is_still_material(rules):
    own = rules.with_words("own-name", ["Automattic", "Jetpack", "Tumblr"])
    old = ("We use Jetpack and Tumblr for many things.\n\n"
           "We share your personal data with Jetpack for analytics.\n")
    new = old.replace("data with Jetpack for", "data with Tumblr for")
    assert _verdicts(old, new, own)[-1] == (None, True)


def test_a_version_number_after_a_name_is_not_a_figure_after_it(rules):
    own = rules.with_words("own-name", ["Basecamp"])
    old = "Basecamp 3 accounts are owned by the company.\n"
    assert _verdicts(old, old.replace("Basecamp 3", "Basecamp 4"), own) == [("own-name", False)]
    days = "Basecamp keeps backups for 3 days.\n"
    assert _verdicts(days, days.replace("3 days", "4 days"), own) == [(None, True)]


def test_a_sentence_reworded_around_the_same_link_is_editorial_unless_a_promise_changed(rules):
    old = ("If you believe content on our site infringes your copyright, please see our "
           "[Copyright Policy](../copyright/) for more details.\n")
    new = old.replace("please see our [Copyright Policy](../copyright/) for more details",
                      "we've outlined extra instructions on [how to notify us about it](../copyright/)")
    verdicts = _verdicts(old, new, rules)
    assert "link-sentence" in {noise for noise, _ in verdicts} and not any(m for _, m in verdicts)
    promise = old.replace("please see our", "you must not use our")
    assert any(material for _, material in _verdicts(old, promise, rules))
    elsewhere = new.replace("../copyright/", "../dmca/")
    assert "link-sentence" not in {noise for noise, _ in _verdicts(old, elsewhere, rules)}


def test_no_in_a_rules_file_stays_a_word_and_a_bare_one_is_refused_in_one_line(tmp_path, rules):
    assert "no" in rules.modality and "on" in rules.stopwords
    bad = tmp_path / "rules.yml"
    bad.write_text("signals:\n  kinds:\n    negation: [no, never]\n")
    with pytest.raises(UserError) as err:
        load_rules(extra=bad)
    assert str(bad) in str(err.value) and "quotes" in str(err.value) and "\n" not in str(err.value)


def test_passive_to_active_with_us_as_the_doer_is_editorial_and_a_named_doer_is_not(rules):
    old = "5. Refunds are processed according to our refund policy.\n"
    assert _verdicts(old, "5. We process refunds according to our refund policy.\n", rules) == [("voice", False)]
    named = _verdicts(old.replace("are processed", "are processed by Stripe"),
                      "5. We process refunds according to our refund policy.\n", rules)
    assert "voice" not in {noise for noise, _ in named}


def test_cannot_and_can_not_read_the_same(rules):
    old = "This information can not be recovered once it has been deleted.\n"
    new = "This information cannot be recovered once it has been deleted.\n"
    assert not any(material for _, material in _verdicts(old, new, rules))
    assert any(material for _, material in _verdicts(old, old.replace("can not", "can"), rules))


def test_a_pointer_put_where_a_paragraph_break_was_is_informational(rules, cases):
    # Legalmattic's law-enforcement guidelines: the Tumblr pointer replaced a blank line, so
    # its change had a side of line breaks only and was not read as an addition
    change, noise, reasons = _the_change(_judged(cases["am-0146"], rules), "\n", " If you need to serve")
    assert (noise, reasons) == ("informational", ())
    assert not cases["am-0146"].material
