"""Leaf templates that remember their output (paperboy serve) render exactly what a plain
Jinja environment renders, and never remember a call whose output could differ."""

from __future__ import annotations

import datetime as dt
import itertools

import jinja2
import pytest
from markupsafe import Markup

from generator.render import fragments
from generator.render.fragments import FragmentEnvironment
from generator.site.views import TagRef

TEMPLATES = {
    "card.html": "<a href='{{ card.url }}'>#{{ card.slug }}</a> {{ card.count }}\n",
    "list.html": "{% for card in cards %}{% include 'card.html' %}{% endfor %}",
    "numbered.html": "{% for card in cards %}{% set pos = loop.index %}"
                     "{% include 'numbered_card.html' %}{% endfor %}",
    "numbered_card.html": "{{ pos }}. {{ card.slug }}\n",
    "mapped.html": "{% for card in cards %}{% include 'mapped_card.html' %}{% endfor %}",
    "mapped_card.html": "{{ extra.note }} {{ card.slug }}\n",
    "counted.html": "{% set ns = namespace(n=0) %}"
                    "{% for card in cards %}{% include 'count_card.html' %}{% endfor %}",
    "count_card.html": "{% set ns.n = ns.n + 1 %}{{ ns.n }}:{{ card.slug }} ",
    "called.html": "{% for card in cards %}{% include 'call_card.html' %}{% endfor %}",
    "call_card.html": "{{ tick() }}:{{ card.slug }} ",
    "outer.html": "{% for card in cards %}{% include 'inner.html' %}{% endfor %}",
    "inner.html": "[{% include 'card.html' %}]",
    "imported.html": "{% for card in cards %}{% import 'macros.html' as m %}"
                     "{{ m.chip(card) }}{% endfor %}",
    "macros.html": "{% macro chip(c) %}<i>{{ c.slug }}</i>{% endmacro %}",
    "shadowed.html": "{{ title }} {% for card in cards %}{% set title = card.slug %}"
                     "{% include 'titled.html' %}{% endfor %}{% include 'titled.html' %}",
    "titled.html": "{{ title }}|{{ site_name }} ",
    "dated.html": "{% for d in days %}{% include 'day.html' %}{% endfor %}",
    "day.html": "{{ d.isoformat() }} {{ label }} ",
}


def environment(kind: type[jinja2.Environment]) -> jinja2.Environment:
    env = kind(loader=jinja2.DictLoader(TEMPLATES), autoescape=True,
               undefined=jinja2.StrictUndefined)
    counter = itertools.count(1)
    env.globals["tick"] = lambda: next(counter)
    env.globals.update(title="global title", site_name="Site")
    return env


CARDS = (TagRef("nlp", "/t/nlp/", 3), TagRef("rl", "/t/rl/", 1), TagRef("nlp", "/t/nlp/", 3))
CONTEXTS = {
    "list.html": {"cards": CARDS},
    "numbered.html": {"cards": CARDS},
    "mapped.html": {"cards": CARDS, "extra": {"note": "mutable"}},
    "counted.html": {"cards": CARDS},
    "called.html": {"cards": CARDS},
    "outer.html": {"cards": CARDS},
    "imported.html": {"cards": CARDS},
    "shadowed.html": {"cards": CARDS},
    "titled.html": {"title": "passed in"},  # rendered itself, not included
    "dated.html": {"days": (dt.date(2024, 3, 1), dt.date(2024, 3, 1)),
                   "label": Markup("<b>x</b>")},
}


@pytest.mark.parametrize("name", CONTEXTS)
def test_renders_like_a_plain_environment_every_time(name: str) -> None:
    plain, remembering = environment(jinja2.Environment), environment(FragmentEnvironment)
    for _ in range(2):  # the second time from the memo where allowed
        expected = plain.get_template(name).render(CONTEXTS[name])
        assert remembering.get_template(name).render(CONTEXTS[name]) == expected


def test_only_leaves_with_frozen_values_are_remembered() -> None:
    fragments.forget()
    env = environment(FragmentEnvironment)
    for name, context in CONTEXTS.items():
        env.get_template(name).render(context)
    remembered = {key[0] for key in fragments._MEMO}
    # not mapped_card (a dict), count_card (a namespace), call_card (a function) or inner
    # (includes another template)
    assert remembered == {"card.html", "day.html", "numbered_card.html", "titled.html"}
    assert sum(1 for key in fragments._MEMO if key[0] == "card.html") == 2  # nlp twice: once


def test_an_edited_template_is_not_served_from_the_memo() -> None:
    env = environment(FragmentEnvironment)
    env.get_template("list.html").render(cards=CARDS)
    edited = dict(TEMPLATES, **{"card.html": "{{ card.slug }}!"})
    other = FragmentEnvironment(loader=jinja2.DictLoader(edited), autoescape=True)
    assert other.get_template("list.html").render(cards=CARDS) == "nlp!rl!nlp!"
