"""The training pages' pieces: the trainee's exercise (brief, questions, answers, hints, score, sandbox)
and the trainer's course (create, enrol, release, progress, debrief, results).

Courses, answers and grades are the library's (:mod:`workbench.training`), always on the installation's
store (:func:`workbench.ui.resources.get_home_store`); the trainee's analysis pages work in their sandbox
once they open it here (:func:`workbench.ui.resources.use_sandbox`).
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from workbench.i18n import N_, _
from workbench.identity import Principal
from workbench.training import courses
from workbench.training.packs import Pack, Question, list_packs, load_pack
from workbench.training.sandbox import open_sandbox, reset_sandbox
from workbench.ui.resources import get_home_store, sandbox_in_use, use_sandbox
from workbench.ui.widgets import data_table

__all__ = ["exercise", "course_admin"]

_KIND_HELP = {
    "exact": N_("One value."),
    "one_of": N_("One value."),
    "numeric": N_("A number."),
    "set": N_("Values separated by commas."),
    "ranked": N_("Values separated by commas, first the highest."),
    "date_range": N_("Two dates, YYYY-MM-DD, separated by a comma: the first and the last."),
    "product": N_("Marking: ...; Key judgement: ...; cited items as '- [B2] case ...' lines."),
}


def _sandbox_panel(course: str, pack: Pack, principal: Principal) -> None:
    store = get_home_store()
    current = sandbox_in_use()
    if current:
        st.info(_("The pages work in your sandbox: {url}", url=current), icon=":material/science:")
        if st.button(_("Back to the main store"), key="training_leave_sandbox"):
            use_sandbox(None)
            st.rerun()
    elif st.button(_("Work in my sandbox"), key="training_open_sandbox", icon=":material/science:"):
        with st.spinner(_("Preparing your variant of the scenario ...")):
            use_sandbox(open_sandbox(store, course, pack.id, principal.user, by=principal))
        st.rerun()


def _question(
    course: str, pack: Pack, q: Question, state: courses.QuestionState, principal: Principal
) -> None:
    store = get_home_store()
    with st.container(border=True):
        st.markdown(f"**{q.id}** · {_(q.text)}")  # the pack's text, extracted from its YAML
        st.caption(
            _(
                "{points} points · {left} of {n} attempts left · {kind}",
                points=q.points,
                left=state.attempts_left,
                n=q.attempts,
                kind=_(_KIND_HELP[q.kind]),
            )
        )
        for text in courses.hints_bought(store, course, pack.id, q.id, by=principal):
            st.info(_(text), icon=":material/lightbulb:")
        widget = st.text_area if q.kind == "product" else st.text_input
        value = widget(_("Your answer"), key=f"training_answer_{pack.id}_{q.id}")
        c1, c2, c3 = st.columns(3)
        if c1.button(_("Submit"), key=f"training_submit_{pack.id}_{q.id}", disabled=state.attempts_left <= 0):
            try:
                courses.answer(store, course, pack.id, q.id, value, by=principal)
            except courses.CourseError as e:
                st.error(str(e))
            st.rerun()
        if state.hints_used < len(q.hints):
            cost = q.hints[state.hints_used].cost
            if c2.button(_("Buy a hint (costs {n} points)", n=cost), key=f"training_hint_{pack.id}_{q.id}"):
                courses.buy_hint(store, course, pack.id, q.id, by=principal)
                st.rerun()
        if state.attempts_used:
            c3.markdown(
                _("Score: **{e:g} / {p}** ({reason})", e=state.earned, p=q.points, reason=state.reason)
            )


def exercise(principal: Principal) -> None:
    """The trainee's view: pick a released course and a pack; the brief, the questions, the score."""
    store = get_home_store()
    mine = courses.trainee_courses(store, by=principal)
    if not mine:
        st.info(_("You are not enrolled in a released course yet."))
        return
    names = [c.name for c in mine]
    name = st.selectbox(_("Course"), names, key="training_course")
    course = next(c for c in mine if c.name == name)
    pack_id = st.selectbox(
        _("Scenario"), course.packs, format_func=lambda p: _(load_pack(p).title), key="training_pack"
    )
    pack = load_pack(pack_id)
    grade, states = courses.exercise_state(store, course.name, pack.id, by=principal)
    st.metric(
        _("Score"),
        _("{earned:g} / {possible}", earned=grade.earned, possible=grade.possible),
        _("{percent:g} %", percent=grade.percent),
    )
    _sandbox_panel(course.name, pack, principal)
    st.subheader(_("Brief"))
    st.markdown(
        _(
            "**Persona:** {persona}\n\n**Situation:** {situation}\n\n**Tasking:** {tasking}",
            persona=_(pack.persona),
            situation=_(pack.situation),
            tasking=_(pack.tasking),
        )
    )
    st.subheader(_("Questions"))
    for q, state in zip(pack.questions, states, strict=True):
        _question(course.name, pack, q, state, principal)


# ---------------------------------------------------------------------------------------- trainer
def _create(principal: Principal) -> None:
    with st.form("training_new_course"):
        name = st.text_input(_("Course name"), key="training_new_name")
        packs = st.multiselect(
            _("Scenario packs"),
            [p.id for p in list_packs()],
            format_func=lambda p: _(load_pack(p).title),
            key="training_new_packs",
        )
        if st.form_submit_button(_("Create the course")):
            try:
                courses.create_course(get_home_store(), name, packs, by=principal)
                st.success(_("Course {name} created.", name=name))
            except courses.CourseError as e:
                st.error(str(e))


def _enrol(course: courses.Course, principal: Principal) -> None:
    from workbench.identity import has_accounts
    from workbench.identity.accounts import list_accounts

    store = get_home_store()
    if has_accounts(store):
        accounts = [a["name"] for a in list_accounts(store) if a["name"] not in course.trainees]
        chosen = st.multiselect(_("Enrol accounts"), accounts, key="training_enrol_accounts")
    else:
        text = st.text_input(_("Enrol trainees (names, separated by commas)"), key="training_enrol_names")
        chosen = [t for t in text.split(",") if t.strip()]
    c1, c2 = st.columns(2)
    if c1.button(_("Enrol"), key="training_enrol", disabled=not chosen):
        try:
            courses.enrol(store, course.name, chosen, by=principal)
        except courses.CourseError as e:
            st.error(str(e))
        st.rerun()
    if not course.released and c2.button(_("Release the course"), key="training_release"):
        courses.release(store, course.name, by=principal)
        st.rerun()


@st.fragment(run_every=dt.timedelta(seconds=20))
def _progress(course_name: str, principal: Principal) -> None:
    frame = courses.progress(get_home_store(), course_name, by=principal)
    data_table(frame, hide_index=True, width="stretch")


def _debrief(course: courses.Course, principal: Principal) -> None:
    store = get_home_store()
    c1, c2 = st.columns(2)
    trainee = c1.selectbox(_("Trainee"), course.trainees, key="training_debrief_trainee")
    pack_id = c2.selectbox(_("Scenario"), course.packs, key="training_debrief_pack")
    if not trainee or not pack_id:
        return
    d = courses.debrief(store, course.name, trainee, pack_id, by=principal)
    st.metric(
        _("Score of {t}", t=trainee),
        _("{earned:g} / {possible}", earned=d.grade.earned, possible=d.grade.possible),
        _("{percent:g} %", percent=d.grade.percent),
    )
    data_table(d.questions, hide_index=True, width="stretch")
    left, right = st.columns(2)
    with left:
        st.markdown(_("**Path of {t}**", t=trainee))
        data_table(d.path, hide_index=True, width="stretch")
    with right:
        st.markdown(_("**Model path**"))
        st.markdown("\n".join(f"{i}. {step}" for i, step in enumerate(d.model_path, 1)))
    st.markdown(_("**Model answer**"))
    st.markdown(d.model_answer)
    if st.button(_("Reset the sandbox of {t}", t=trainee), key="training_reset"):
        reset_sandbox(store, course.name, pack_id, trainee, by=principal)
        st.success(_("The sandbox of {t} was loaded afresh.", t=trainee))


def course_admin(principal: Principal) -> None:
    """The trainer's view: create a course, enrol and release, follow progress, debrief, export."""
    store = get_home_store()
    _create(principal)
    all_courses = courses.list_courses(store, by=principal)
    if not all_courses:
        st.info(_("No course yet: create one from the scenario packs."))
        return
    name = st.selectbox(_("Course"), [c.name for c in all_courses], key="training_admin_course")
    course = courses.get_course(store, name)
    st.caption(
        _(
            "Packs: {packs} · trainees: {trainees} · {state}",
            packs=", ".join(course.packs),
            trainees=", ".join(course.trainees) or "-",
            state=_("released") if course.released else _("not released"),
        )
    )
    _enrol(course, principal)
    if not course.trainees:
        return
    st.subheader(_("Progress"))
    _progress(course.name, principal)
    st.download_button(
        _("Download the results (Excel)"),
        data=lambda: courses.results_workbook(store, course.name, by=principal),
        file_name=f"course-{course.name}-{dt.date.today():%Y%m%d}.xlsx".replace(" ", "_"),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="training_results",
        on_click="ignore",
    )
    st.subheader(_("Debrief"))
    _debrief(course, principal)
