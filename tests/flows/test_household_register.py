"""/hocuatoi, /ho and the card, /canquaylai, /phancong, visit days, locked periods, consent of imported households."""

from datetime import date, timedelta

from sqlmodel import col, func, select

from bot import texts as T
from bot.core.messages import InboundKind, callback_data
from bot.core.roles import Role
from bot.services import households, period_locks
from bot.services.households import NewHousehold
from bot.store.models import AuditEntry, ChannelIdentity, Conversation, Household, HouseholdPlatform, OutboxItem, Visit
from tests.chat import Chat, joined


async def _member_id(deps, user_ref: str) -> int:
    async with deps.store.session() as s:
        row = (await s.exec(select(ChannelIdentity).where(ChannelIdentity.user_ref == user_ref))).one()
        return row.member_id


async def _household(deps, name: str, address: str, team: str = "T01", keeper: int | None = None, consent=True) -> int:
    """A household as an import would add it: nobody's unless `keeper`, consent already given unless not."""
    now, version = deps.clock.now(), deps.config.privacy.consent_version
    async with deps.store.session() as s:
        h = await households.create(s, team, NewHousehold(name, address), None, now, None, assigned_member_id=keeper)
        if consent:
            h.consent_at, h.consent_version = now, version
            s.add(h)
        return h.id or 0


async def _visit(chat: Chat, hid: int, skills: str = "1 0", extra: tuple[str, ...] = ()) -> None:
    await chat.say(f"/ghinhan #{hid}")
    await chat.say(skills)
    for line in extra:
        await chat.say(line)
    await chat.say("luu")
    assert "Đã lưu lượt" in chat.text, chat.text


async def _denials(deps) -> list[AuditEntry]:
    async with deps.store.session() as s:
        return list((await s.exec(select(AuditEntry).where(AuditEntry.action == "access.denied"))).all())


# --- visit days ------------------------------------------------------------------------------------------------
async def test_a_visit_can_be_dated_yesterday_or_by_day_and_month(router, deps):
    chat = await joined(router, deps, "u1")
    hid = await _household(deps, "Nguyễn Văn An", "Xóm 3")
    await chat.say(f"/ghinhan #{hid}")
    await chat.say("1 0")
    await chat.say("hom qua")
    assert "19/11/2026" in chat.text
    await chat.press("Đổi ngày")
    await chat.say("12/10")
    assert "12/10/2026" in chat.text
    await chat.say("luu")
    async with deps.store.session() as s:
        visit = (await s.exec(select(Visit))).one()
    assert visit.visited_on == date(2026, 10, 12)


async def test_future_old_and_reported_days_are_refused_with_the_reason(router, deps):
    chat = await joined(router, deps, "u1")
    hid = await _household(deps, "Nguyễn Văn An", "Xóm 3")
    async with deps.store.session() as s:
        await period_locks.lock(s, "T01", "2026-10", date(2026, 10, 1), date(2026, 10, 31), None, deps.clock.now())
    await chat.say(f"/ghinhan #{hid}")
    await chat.say("1 0")
    await chat.say("25/11")  # a day and month ahead of today is last year's: too far back
    assert "quá xa" in chat.text
    await chat.say("12/10/2026")
    assert "kỳ 2026-10" in chat.text and "đã nộp báo cáo" in chat.text
    await chat.press("Đổi ngày")
    await chat.say("21/11/2026")
    assert "chưa tới" in chat.text
    await chat.say("hom qua")
    await chat.say("luu")
    async with deps.store.session() as s:
        visit = (await s.exec(select(Visit))).one()
    assert visit.visited_on == date(2026, 11, 19)


async def test_a_period_reported_while_the_entry_was_open_is_refused_at_save(router, deps):
    chat = await joined(router, deps, "u1")
    hid = await _household(deps, "Nguyễn Văn An", "Xóm 3")
    await chat.say(f"/ghinhan #{hid}")
    await chat.say("1 0")
    async with deps.store.session() as s:
        await period_locks.lock(s, "T01", "2026-11", date(2026, 11, 1), date(2026, 11, 30), None, deps.clock.now())
    await chat.say("luu")
    assert "kỳ 2026-11" in chat.text
    async with deps.store.session() as s:
        assert (await s.exec(select(func.count()).select_from(Visit))).one() == 0
        lock = await period_locks.active_lock(s, "T01", date(2026, 11, 20))
        assert lock is not None
        await period_locks.reopen(s, lock, None, deps.clock.now())
    await chat.say("luu")
    assert "Đã lưu lượt" in chat.text


# --- consent of a household imported without it ----------------------------------------------------------------
async def test_consent_is_asked_once_for_a_household_from_an_imported_list(router, deps):
    chat = await joined(router, deps, "u1")
    hid = await _household(deps, "Trần Thị Bình", "Xóm 2", consent=False)
    await chat.say(f"/ghinhan #{hid}")
    assert "Hộ có đồng ý không?" in chat.text
    await chat.say("dong y")
    await chat.say("1 0")
    await chat.say("luu")
    async with deps.store.session() as s:
        household = await s.get(Household, hid)
    assert household is not None and household.consent_version == deps.config.privacy.consent_version
    assert household.consent_by == await _member_id(deps, "u1")
    await chat.say(f"/ghinhan #{hid}")
    assert T.SKILLS_ASK.split("{")[0] in chat.text  # straight to the skills this time


# --- /hocuatoi, /ho and the card -------------------------------------------------------------------------------
async def test_my_households_show_target_and_platform_status(router, deps):
    chat = await joined(router, deps, "u1")
    me = await _member_id(deps, "u1")
    first = await _household(deps, "Nguyễn Văn An", "Xóm 3", keeper=me)
    await _household(deps, "Lê Thị Hoa", "Xóm 4", keeper=me)
    await _household(deps, "Phạm Văn Nam", "Xóm 1")  # nobody's
    await _visit(chat, first, "1 4 0")  # VNeID and DVC guided
    await chat.say("/hocuatoi")
    assert "2/10" in chat.text
    labels = chat.labels()
    assert len(labels) == 2
    an = next(label for label in labels if "Nguyễn Văn An" in label)
    assert an.endswith("🟡🟡⬜⬜")
    await chat.press("Nguyễn Văn An")
    assert "🟡 VNeID — đã hướng dẫn" in chat.text and "⬜ Bình dân học vụ số — chưa" in chat.text
    await chat.press("Sửa trạng thái")
    await chat.press("VNeID")
    await chat.press("Đang dùng")
    assert "Đã cập nhật: VNeID — đang dùng" in chat.text
    assert "✅ VNeID — đang dùng" in chat.text
    async with deps.store.session() as s:
        row = await s.get(HouseholdPlatform, (first, "vneid"))
        audit = (await s.exec(select(AuditEntry).where(AuditEntry.action == "household.platform"))).one()
    assert row is not None and row.status == "uses" and row.set_by == me
    assert audit.detail == {"platform": "vneid", "before": None, "after": "uses"}


async def test_find_by_name_without_diacritics_and_log_from_the_card(router, deps):
    chat = await joined(router, deps, "u1")
    await _household(deps, "Nguyễn Văn An", "Xóm 3")
    await _household(deps, "Ngô Thị Lan", "Xóm 5")
    await chat.say("/ho ngo lan")
    assert chat.labels()[0].startswith("Ngô Thị Lan")
    await chat.press("Ngô Thị Lan")
    await chat.press("Ghi nhận lượt")
    assert "Ngô Thị Lan" in chat.text and "Nội dung đã hướng dẫn" in chat.text


async def test_another_teams_household_by_id_is_denied_and_audited(router, deps):
    chat = await joined(router, deps, "u1")
    other = await _household(deps, "Đỗ Văn Hải", "Xóm 9", team="T02")
    await chat.say(f"/ho #{other}")
    assert chat.text == T.HH_NOT_FOUND_ID.format(id=other)
    await chat.say(f"/ghinhan #{other}")
    assert "Đỗ Văn Hải" not in chat.text
    await chat.say("/phancong")  # a member may not assign at all
    assert chat.text == T.NOT_ALLOWED
    denials = await _denials(deps)
    assert [(d.entity, d.entity_id, d.detail["reason"]) for d in denials] == [
        ("household", str(other), "other_team"),
        ("household", str(other), "other_team"),
    ]


async def test_a_forged_button_press_is_denied_and_audited(router, deps):
    chat = await joined(router, deps, "u1")
    await _household(deps, "Nguyễn Văn An", "Xóm 3")
    await chat.say("/ho")
    await chat.press_data("forged:0")
    assert chat.text == T.BUTTON_OUTDATED
    await chat.say("/huy")
    await chat.press_data("forged:1")
    assert chat.text == T.BUTTON_OUTDATED
    reasons = [d.detail["reason"] for d in await _denials(deps)]
    assert reasons == ["stale_token", "no_active_flow"]


# --- /canquaylai -----------------------------------------------------------------------------------------------
async def test_return_visits_form_the_follow_up_list(router, deps, clock):
    member = await joined(router, deps, "u1")
    other = await joined(router, deps, "u2")
    leader = await joined(router, deps, "u3", role=Role.LEADER)
    a = await _household(deps, "Nguyễn Văn An", "Xóm 3")
    b = await _household(deps, "Lê Thị Hoa", "Xóm 4")
    await member.say("/canquaylai")
    assert member.text == T.RETURNS_NONE
    await _visit(member, a, "1 0", ("quay lai",))
    clock.advance(timedelta(days=1))
    await _visit(other, b, "1 0", ("quay lai",))
    await member.say("/canquaylai")
    assert [label.split(" — ")[0] for label in member.labels() if "—" in label] == ["Nguyễn Văn An"]
    await leader.say("/canquaylai")
    assert [label.split(" — ")[0] for label in leader.labels() if "—" in label] == ["Nguyễn Văn An", "Lê Thị Hoa"]
    await member.press("Nguyễn Văn An")
    await member.press("Ghi nhận lượt")
    await member.say("1 0")
    await member.say("luu")  # done this time
    await member.say("/canquaylai")
    assert member.text == T.RETURNS_NONE


# --- /phancong -------------------------------------------------------------------------------------------------
async def test_leader_assigns_households_and_the_member_is_told(router, deps):
    leader = await joined(router, deps, "lead", role=Role.LEADER)
    await joined(router, deps, "u1")
    member_id = await _member_id(deps, "u1")
    ids = [await _household(deps, name, f"Xóm {i}") for i, name in enumerate(("An", "Bình", "Cường", "Dung"), 1)]
    foreign = await _household(deps, "Hải", "Xóm 9", team="T02")
    await leader.say("/phancong")
    member_label = next(label for label in leader.labels() if "member u1" in label)
    assert member_label.endswith("0/10 hộ")
    await leader.press("member u1")
    await leader.press("An — Xóm 1")
    await leader.say("cuong")  # a typed name searches, keeping what was chosen
    assert leader.labels()[0].startswith("Cường")
    assert "Đã chọn thêm 1 hộ" in leader.text
    await leader.press("Cường")
    await leader.press("Xong")
    assert "Đã giao 2 hộ cho member u1" in leader.text and "2/10" in leader.text
    async with deps.store.session() as s:
        assigned = set((await s.exec(select(Household.id).where(Household.assigned_member_id == member_id))).all())
        notices = (await s.exec(select(OutboxItem).where(col(OutboxItem.chat_ref) == "u1"))).all()
        foreign_row = await s.get(Household, foreign)
    assert assigned == {ids[0], ids[2]}
    assert len(notices) == 1 and "giao thêm 2 hộ" in notices[0].text
    assert foreign_row is not None and foreign_row.assigned_member_id is None


async def test_leader_assigns_one_household_from_its_card(router, deps):
    leader = await joined(router, deps, "lead", role=Role.LEADER)
    await joined(router, deps, "u1")
    hid = await _household(deps, "Nguyễn Văn An", "Xóm 3")
    await leader.say(f"/ho #{hid}")
    await leader.press("Giao cho tổ viên")
    await leader.press("member u1")
    assert "Đã giao 1 hộ" in leader.text
    await leader.say(f"/ho #{hid}")
    assert "Phụ trách: member u1" in leader.text


# --- /gn: one line ---------------------------------------------------------------------------------------------
async def test_one_line_entry_for_a_known_household_is_two_messages(router, deps):
    chat = await joined(router, deps, "u1")
    hid = await _household(deps, "Nguyễn Văn An", "Xóm 3")
    await _household(deps, "Nguyễn Văn Ân", "Xóm 7")
    await chat.say("/gn nguyen van an, xom 3: vneid dvc 2 nguoi")
    assert "Kiểm tra lại" in chat.text and "Cài đặt VNeID, Dịch vụ công trực tuyến" in chat.text
    assert "2 người" in chat.text
    await chat.say("luu")
    async with deps.store.session() as s:
        visit = (await s.exec(select(Visit))).one()
    assert (visit.household_id, visit.people_count) == (hid, 2)


async def test_one_line_entry_points_out_what_it_could_not_read_and_keeps_the_rest(router, deps):
    chat = await joined(router, deps, "u1")
    await chat.say("/gn Lê Thị Hoa, xóm 4: vneidd bdhvs hom qua quay lai")
    assert "“vneidd”" in chat.text
    assert "Tổ chưa có hộ “Lê Thị Hoa”" in chat.text and T.HH_ASK_PHONE in chat.text
    await chat.say("bo qua")
    await chat.say("0")
    await chat.say("dong y")
    assert "Kiểm tra lại" in chat.text and "Bình dân học vụ số" in chat.text and "19/11/2026" in chat.text
    await chat.say("luu")
    async with deps.store.session() as s:
        household = (await s.exec(select(Household))).one()
        visit = (await s.exec(select(Visit))).one()
    assert (household.head_name, household.address) == ("Lê Thị Hoa", "xóm 4")
    assert (visit.visited_on, visit.outcome) == (date(2026, 11, 19), "return")


async def test_one_line_entry_with_a_similar_name_offers_the_choice(router, deps):
    chat = await joined(router, deps, "u1")
    await _household(deps, "Nguyễn Văn An", "Xóm 3")
    await _household(deps, "Nguyễn Văn An", "Xóm 8")
    await chat.say("/gn Nguyen Van An: muc 2")
    assert len([label for label in chat.labels() if "Nguyễn Văn An" in label]) == 2
    await chat.press("Xóm 8")
    assert "Kiểm tra lại" in chat.text and "Định danh điện tử mức 2" in chat.text


async def test_one_line_entry_without_arguments_explains_itself(router, deps):
    chat = await joined(router, deps, "u1")
    await chat.say("/gn")
    assert chat.text == T.GN_USAGE


async def test_one_line_entry_takes_the_one_exact_name_over_close_ones(router, deps):
    chat = await joined(router, deps, "u1")
    hid = await _household(deps, "Ngô Ngọc Nga", "Xóm 5")
    await _household(deps, "Ngô Ngọc Hà", "Xóm 1")
    await chat.say("/gn ngo ngoc nga: dvc")
    assert "Kiểm tra lại" in chat.text and "Ngô Ngọc Nga" in chat.text
    await chat.say("luu")
    async with deps.store.session() as s:
        assert (await s.exec(select(Visit.household_id))).one() == hid


async def test_the_router_says_when_a_message_queued_a_notice_for_someone_else(router, deps):
    leader = await joined(router, deps, "lead", role=Role.LEADER)
    await joined(router, deps, "u1")
    hid = await _household(deps, "Nguyễn Văn An", "Xóm 3")
    await leader.say(f"/ho #{hid}")
    await leader.press("Giao cho tổ viên")
    quiet = await router.handle(leader._inbound(text="/trogiup"))
    assert not quiet.queued
    prompt = leader.prompt  # still the member choice: /trogiup did not end the flow
    index = next(i for i, o in enumerate(prompt.options) if "member u1" in o.label)
    press = leader._inbound(choice=callback_data(prompt.token or "", index), kind=InboundKind.CHOICE)
    handled = await router.handle(press)
    assert "Đã giao 1 hộ" in handled.replies[0].text and handled.queued


# --- typed as people type ---------------------------------------------------------------------------------------
async def test_logging_a_new_household_in_words_goes_straight_to_its_name(router, deps):
    chat = await joined(router, deps, "u1")
    for typed in ("ghi nhận hộ mới", "ghi nhan ho moi", "ghi nhan them ho"):
        await chat.say(typed)
        assert chat.text == T.HH_ASK_NAME, typed
        await chat.say("/huy")


async def test_logging_with_a_name_in_words_searches_that_name(router, deps):
    hid = await _household(deps, "Nguyễn Thị An", "Xóm 2")
    await _household(deps, "Lê Văn Bình", "Xóm 2")
    await _household(deps, "Nguyễn Thị Ánh", "Xóm 4")
    chat = await joined(router, deps, "u1")
    await chat.say("ghi nhan nguyen thi")  # two households have these words: both offered
    assert [o.key for o in chat.prompt.options][:2] == [f"h{hid}", f"h{hid + 2}"]
    await chat.say("ghi nhan nguyen thi an")  # "an" also starts "Ánh": both, the whole word first
    assert [o.key for o in chat.prompt.options][:2] == [f"h{hid}", f"h{hid + 2}"]
    await chat.say("ghi nhan le van binh")  # one household has every word: taken at once
    assert chat.text.startswith(T.SKILLS_ASK.format(household="Lê Văn Bình — Xóm 2"))


async def test_a_household_is_found_by_title_name_and_place(router, deps):
    hoa6 = await _household(deps, "Trần Thị Hoa", "Xóm 6")
    hoa2 = await _household(deps, "Nguyễn Thị Hoa", "Xóm 2")
    loc = await _household(deps, "Phạm Văn Lộc", "Xóm 1")
    dung = await _household(deps, "Đỗ Văn Dũng", "Xóm 5")
    chat = await joined(router, deps, "u1")
    for typed, first, count in (
        ("ba hoa xom 6", hoa6, 1),  # one household: taken at once
        ("bà Hoa", hoa6, 2),  # both Hoa: the member chooses
        ("ong loc", loc, 1),
        ("chu dung xom 5", dung, 1),
        ("ba hoa xom 9", hoa6, 2),  # no Hoa in xóm 9: every Hoa, to choose from, never a guess
        ("nguyeenx thij hoa", hoa2, 1),  # typed with the Vietnamese keyboard off
    ):
        await chat.say("/ghinhan")
        await chat.say(typed)
        async with deps.store.session() as s:
            state = (await s.exec(select(Conversation))).one()
        if count == 1:
            assert (state.step, state.data.get("hid")) == ("skills", first), typed
        else:
            households_offered = [o.key for o in chat.prompt.options if o.key.startswith("h")]
            assert households_offered[0] == f"h{first}" and len(households_offered) == count, typed


async def test_an_option_number_with_a_dot_picks_the_option_not_an_address(router, deps):
    hid = await _household(deps, "Nguyễn Văn An", "Xóm 2")
    await _household(deps, "Vũ Văn Hai", "Số nhà 2.")
    chat = await joined(router, deps, "u1")
    for typed in ("1.", "số 1", "1)"):
        await chat.say("/ghinhan")
        first = chat.prompt.options[0]
        assert first.key.startswith("h")
        await chat.say(typed)
        assert chat.text.startswith(T.SKILLS_ASK.format(household=first.label)), typed
    assert hid


async def test_cancel_words_at_the_household_question_cancel_instead_of_searching(router, deps):
    chat = await joined(router, deps, "u1")
    for typed in ("thoi", "thui", "khong", "ko ghi nua", "thôi không ghi nữa"):
        await chat.say("/ghinhan")
        await chat.say(typed)
        assert chat.text == T.CANCELLED, typed
