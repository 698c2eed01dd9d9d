"""``python cli.py lottery --area ID --seed TEXT [--commit] [--reason TEXT] [--minutes FILE.docx] [--json] [--as USER]``.

Draws the resettlement lots of an area for its eligible households (:mod:`milestones.resettlement`):
without ``--commit`` a preview (nothing written: the input hashes to read out at the meeting and the result);
with ``--commit`` the draw is recorded (inputs hashes, seed, result, account) in the store; a second
commit for the same area is refused unless ``--reason`` says why, and is then a new recorded draw (no
silent redraw). ``--expect-inputs SHA`` refuses the commit when the lists changed since the preview.
``--minutes`` writes the minutes (biên bản bốc thăm, DOCX); household names only with ``--with-names``
for an account that may read personal data. Exit 0 done, 1 refused, 2 usage.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from commands._auth import acting_in, add_as_argument, client_address
from commands._common import add_database_url_argument, as_of_date
from domain import office_time
from domain.errors import GpmbError, UsageError
from vocab.escape import terminal_block, terminal_json

NAME = "lottery"
HELP = "Bốc thăm giao đất tái định cư: xem trước, ghi kết quả (--commit), lập biên bản (--minutes)"


def add_arguments(parser) -> None:
    parser.add_argument("--area", required=True, metavar="ID", help="mã khu tái định cư")
    parser.add_argument("--seed", required=True, metavar="TEXT", help="chuỗi hạt giống thống nhất tại buổi bốc thăm")
    parser.add_argument("--commit", action="store_true", help="ghi kết quả vào kho (mặc định: chỉ xem trước)")
    parser.add_argument("--reason", default=None, help="lý do bốc thăm lại (bắt buộc khi khu đã có kết quả)")
    parser.add_argument("--expect-inputs", default=None, metavar="SHA256",
                        help="mã kiểm tra đầu vào đã đọc khi xem trước: từ chối nếu danh sách đã đổi")
    parser.add_argument("--minutes", metavar="FILE.docx", help="ghi biên bản bốc thăm (DOCX)")
    parser.add_argument("--with-names", action="store_true", help="ghi tên chủ hộ vào biên bản (cần quyền "
                                                                  "xem dữ liệu cá nhân)")
    parser.add_argument("--as-of", type=as_of_date, default=None, help="ngày xét phương án đã phê duyệt")
    parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    add_as_argument(parser)
    add_database_url_argument(parser)


def _text(inputs, result, draw_id) -> str:
    lines = [(f"Khu tái định cư {inputs.area_id} ({inputs.area_name}), dự án {inputs.project_id}: "
             f"{result.households} hộ đủ điều kiện, {result.lots} lô được bốc thăm."),
             f"Mã kiểm tra danh sách hộ:  {result.eligible_sha256}",
             f"Mã kiểm tra danh sách lô:  {result.lots_sha256}",
             f"Mã kiểm tra đầu vào:       {result.inputs_sha256}",
             f"Hạt giống: {result.seed}",
             *[f"  {i}. Hộ {a.household_id} → lô {a.lot_id} (loại {a.lot_class})"
               for i, a in enumerate(result.assignments, start=1)],
             f"Mã kiểm tra kết quả: {result.draw_sha256}"]
    if result.unallocated_lots:
        lines.append(f"Lô chưa giao: {', '.join(result.unallocated_lots)}")
    if draw_id is None:
        previous = inputs.previous_draw
        lines.append("XEM TRƯỚC: chưa ghi gì (dùng --commit để ghi kết quả)."
                     + (f" Khu này đã có kết quả lần số {previous['draw_id']}: bốc thăm lại cần --reason."
                        if previous else ""))
    else:
        lines.append(f"Đã ghi kết quả bốc thăm số {draw_id}.")
    return "\n".join(lines)


def _minutes(store, args, inputs, result, account, as_of: date) -> None:
    from exports.lottery_minutes import MinutesInfo, lottery_minutes_docx

    eligible = inputs.eligible
    if args.with_names:
        if account is None:
            raise UsageError("--with-names cần --as (tài khoản được xem dữ liệu cá nhân).")
        homes = store.register("households", project_id=inputs.project_id, include_personal=True, actor=account)
        eligible = eligible.merge(homes[["household_id", "name"]].rename(columns={"name": "household_name"}),
                                  on="household_id", how="left")
    projects = store.projects().set_index("project_id")["name"]
    info = MinutesInfo(governing_body="UBND TỈNH LẠNG SƠN", issuing_body="TRUNG TÂM PHÁT TRIỂN QUỸ ĐẤT",
                       document_number="…/BB-TTPTQĐ", place="Lạng Sơn", meeting_date=as_of,
                       project_name=str(projects.get(inputs.project_id, inputs.project_id)),
                       area_name=str(inputs.area_name))
    try:
        Path(args.minutes).write_bytes(lottery_minutes_docx(result, info, eligible=eligible, lots=inputs.lots))
    except OSError as exc:
        raise GpmbError(f"Không ghi được tệp {args.minutes}: {exc.strerror}") from exc


def run(args) -> int:
    from milestones.resettlement import commit_draw, preview_draw
    from store import open_store

    store = open_store(args.database_url)
    as_of = args.as_of or office_time.today()
    account = acting_in(store, args) if (args.commit or args.as_user) else None
    draw_id = None
    if args.commit:
        inputs, result, draw_id = commit_draw(store, args.area, args.seed, as_of, actor=account, reason=args.reason,
                                              expected_inputs_sha256=args.expect_inputs,
                                              client_address=client_address())
    else:
        inputs, result = preview_draw(store, args.area, args.seed, as_of)
    if args.minutes:
        _minutes(store, args, inputs, result, account, as_of)
    if args.json:
        out = {**result.to_dict(), "area_id": inputs.area_id, "project_id": inputs.project_id,
               "committed": draw_id is not None, "draw_id": draw_id, "previous_draw": inputs.previous_draw}
        print(terminal_json(json.dumps(out, ensure_ascii=False, indent=2)))
    else:
        print(terminal_block(_text(inputs, result, draw_id)))
    return 0
