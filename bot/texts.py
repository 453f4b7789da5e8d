"""Every user-facing string, in Vietnamese. Code refers to these names, never to literal text."""

# --- configuration (shown to the administrator at start-up) ---
CONFIG_ERROR = "Lỗi cấu hình {path}: khoá `{key}` — {hint}"
CONFIG_NOT_FOUND = "Không tìm thấy tệp cấu hình {path}. Chạy từ thư mục dự án, hoặc dùng --config ĐƯỜNG_DẪN."
CONFIG_YAML = "Tệp cấu hình {path} sai cú pháp YAML ở dòng {line}."
CONFIG_MISSING = "thiếu giá trị bắt buộc."
CONFIG_UNKNOWN_KEY = "khoá không được hỗ trợ (gõ sai tên?)."
CONFIG_INT = "cần một số nguyên."
CONFIG_BOOL = "cần true hoặc false."
CONFIG_STRING = "cần một chuỗi chữ."
CONFIG_TOO_SHORT = "quá ngắn hoặc danh sách rỗng."
CONFIG_PATTERN = "chỉ dùng chữ, số, gạch dưới (mẫu {pattern})."
CONFIG_LITERAL = "giá trị không hợp lệ, cần một trong: {expected}."
CONFIG_RANGE = "giá trị nằm ngoài khoảng cho phép."
CONFIG_MAPPING = "cần một nhóm khoá: giá trị (mapping)."
CONFIG_LIST = "cần một danh sách."
CONFIG_DB_URL = "cần sqlite+aiosqlite:///đường/dẫn.db hoặc postgresql+asyncpg://người_dùng@máy/csdl."
CONFIG_TIMEZONE = "múi giờ không tồn tại, ví dụ Asia/Ho_Chi_Minh."
CONFIG_DUPLICATE_CODE = "mã {code} bị trùng trong {key}."
CONFIG_BOT_TWICE = "channels: hai bot dùng chung {what}: {values}. Mỗi bot cần {what} riêng."
CONFIG_ZALO_RESERVE = (
    "reply_reserve ({reserve}) lớn hơn monthly_quota ({quota}): số tin giữ lại để trả lời phải nhỏ hơn hạn mức tháng."
)
CONFIG_SKILL_ALIAS = (
    "tên gõ “{alias}” dùng cho cả hai nội dung {first} và {second}; mỗi tên chỉ được dẫn tới một nội dung."
)
CONFIG_SKILL_PLATFORM = "skills[{i}].platform = {platform} không có trong danh sách platforms."
CONFIG_UNIT_CODE = "không có trong danh mục đơn vị hành chính (data/vn_admin_units_2025.csv)."
CONFIG_UNIT_NAME = "mã {code} là {name}, tên khai báo không khớp."
DATA_FILE_MISSING = (
    "Thiếu tệp dữ liệu {name} trong gói sotay đã cài ({package}). Cài lại gói, hoặc chạy make trong thư mục dự án."
)
CONFIG_SAMPLE_USED = "Không có config.yaml ở thư mục này: bản chạy thử dùng cấu hình mẫu đi kèm ({commune})."

# --- general -----------------------------------------------------------------------------------------------
WELCOME_STRANGER = (
    "Xin chào! Đây là Sổ tay số của Tổ Công nghệ số cộng đồng.\n"
    "Để tham gia, hãy xin tổ trưởng hoặc cán bộ xã một mã mời, rồi gửi: /start MÃ (ví dụ /start ABCD2345)."
)
INTERNAL_ERROR = (
    "Xin lỗi, bot gặp sự cố khi xử lý tin nhắn này. Những gì bạn đã nhập vẫn được giữ; hãy gửi lại sau ít phút."
)
FILE_NO_NAME = "tep"  # a sent file whose name was nothing but unreadable characters
MESSAGE_TOO_LONG = (
    "Tin nhắn dài quá ({length} ký tự, tối đa {limit}), bot chưa đọc. Hãy gửi ngắn hơn; việc đang làm dở vẫn được giữ."
)
JOIN_OTHER_BOT = "Mã này dành cho bot {bot}. Hãy mở bot {bot} và gửi lại mã ở đó; mã vẫn dùng được."
DONT_UNDERSTAND = "Mình chưa hiểu. Gõ /ghinhan để ghi nhận một hộ, hoặc /trogiup để xem các lệnh."
DONT_UNDERSTAND_STAFF = "Mình chưa hiểu. Gõ ví dụ: tiến độ, báo cáo, thông báo; hoặc /trogiup để xem các lệnh."
UNKNOWN_COMMAND = "Không có lệnh này. Gõ /trogiup để xem các lệnh bạn dùng được."
NOT_ALLOWED = "Lệnh này không dành cho vai trò của bạn. Gõ /trogiup để xem các lệnh bạn dùng được."
NEEDS_TEAM = "Bạn chưa thuộc tổ CNSCĐ nào nên chưa ghi nhận được hộ. Hãy nhờ cán bộ xã mời vào tổ."
NOT_TEXT_MENU = "Bot chỉ đọc được tin nhắn chữ. Chọn một việc trong menu, hoặc gõ ví dụ: ghi nhận, tiến độ."
TEXT_ONLY = "Bot chỉ đọc được tin nhắn chữ. Hãy gõ câu trả lời, hoặc /huy để dừng."
BUTTON_OUTDATED = (
    "Nút này thuộc tin nhắn cũ nên không còn dùng được. Hãy chọn ở tin nhắn mới nhất, hoặc gõ /ghinhan để bắt đầu lại."
)
CANCELLED = "Đã huỷ. Chưa có gì được lưu. Cần việc gì khác thì chọn trong menu, hoặc gõ /trogiup."
NOTHING_TO_CANCEL = "Không có việc gì đang làm dở để huỷ."
CHOOSE_ONE = "Hãy chọn một trong các mục bên dưới (gõ số thứ tự cũng được)."
NOT_AN_OPTION = "Không có mục số {answer}. Hãy chọn một số trong danh sách."
WHICH_OPTION = "“{typed}” có thể là: {choices}. Gõ số thứ tự của mục bạn muốn."
SKIP_LABEL = "Bỏ qua"
DONE_LABEL = "✅ Xong"
SELECTED = "Đã chọn: {items}."
NOTHING_SELECTED = "Chưa chọn mục nào."
SELECTED_COUNT = "Đã chọn {n} mục (có dấu chọn trong danh sách)."
CITIZEN_ID_MASKED = "Lưu ý: bot không lưu số CCCD/định danh của người dân, nên dãy 12 chữ số bạn gõ đã được che đi."

# --- menu and commands --------------------------------------------------------------------------------------
MENU_LOG = "📝 Ghi nhận"
MENU_INVITE = "✉️ Mời"
MENU_BROADCAST = "📢 Thông báo"
MENU_HELP = "❓ Trợ giúp"
MENU_HINT = "Chọn trong menu, hoặc gõ lệnh."
CMD_START = "Tham gia bằng mã mời: /start MÃ"
CMD_LOG = "Ghi nhận một lượt hướng dẫn tại hộ"
CMD_INVITE = "Tạo mã mời thành viên"
CMD_CANCEL = "Huỷ việc đang làm dở"
CMD_HELP = "Xem hướng dẫn và các lệnh"
HELP = "Chào {name} — {role}, {where}.\nCác lệnh bạn dùng được:\n{commands}\nGõ không dấu cũng được, ví dụ: ghi nhan."

# --- what people type ------------------------------------------------------------------------------------------
# One table of phrases per meaning, written as members type them. They are matched without diacritics, with Telex
# or VNI keys and chat abbreviations ("ko", "đc", "bc") read, and one typo allowed (bot/core/reader.py); where two
# phrases differ only in diacritics ("mời" / "mới"), the diacritics typed choose, and none typed means asking.
# A phrase is found at the start of a short line, among the filler words below; what follows it is the command's
# argument ("ghi nhận Nguyễn Thị An" searches that name, "tiến độ tháng này" that period).
# fmt: off
COMMAND_WORDS: dict[str, tuple[str, ...]] = {
    "ghinhan": (
        "ghi nhận", "ghinhan", "ghi", "ghi lượt", "ghi nhận lượt", "ghi nhận hộ", "ghi hộ", "thêm lượt",
        "nhập lượt", "ghi lại", "ghi nhận lượt mới", "mới", "hộ mới", "thêm hộ mới", "thêm hộ",
    ),
    "gn": (
        "gn", "ghi nhanh",
    ),
    "hocuatoi": (
        "hộ của tôi", "hocuatoi", "hộ của mình", "hộ của em", "danh sách hộ", "dsho", "hộ phụ trách",
        "hộ tôi phụ trách", "các hộ của tôi", "hộ được giao",
    ),
    "ho": (
        "tìm hộ", "xem hộ", "tra cứu hộ", "tìm", "tra hộ", "thông tin hộ", "tim kiem",
    ),
    "canquaylai": (
        "cần quay lại", "canquaylai", "hộ cần quay lại", "danh sách quay lại", "hộ chờ quay lại", "hẹn quay lại",
        "các hộ cần quay lại",
    ),
    "phancong": (
        "phân công", "phancong", "giao hộ", "chia hộ",
    ),
    "tiendo": (
        "tiến độ", "tiendo", "td", "thống kê", "kết quả", "tiến độ tổ", "xem số liệu", "bao nhiêu hộ",
        "được bao nhiêu", "làm đến đâu", "đến đâu rồi", "làm được bao nhiêu",
    ),
    "bieudo": (
        "biểu đồ", "bieudo", "đồ thị", "vẽ biểu đồ",
    ),
    "baocao": (
        "báo cáo", "baocao", "bc", "nộp báo cáo", "gửi báo cáo", "nộp bc", "gửi bc", "làm báo cáo", "viết báo cáo",
        "lam bc",
    ),
    "xuat": (
        "xuất", "xuất file", "xuất excel", "xuất số liệu", "tải file", "tải excel", "xuất báo cáo", "xuat",
    ),
    "sua": (
        "sửa", "sửa lượt", "sửa lại", "sửa lượt vừa rồi", "huỷ lượt", "xoá lượt", "sửa sai", "sua luot",
        "ghi nhầm", "ghi sai", "nhập sai", "nhập nhầm", "xoá cái vừa ghi", "xoá lượt vừa ghi", "huỷ cái vừa ghi",
    ),
    "kiemtra": (
        "kiểm tra", "kiemtra",
    ),
    "thongbao": (
        "thông báo", "thongbao", "gửi thông báo", "soạn thông báo",
    ),
    "danhan": (
        "đã nhận", "danhan", "nhận rồi", "nhận được rồi", "đã đọc", "ok đã nhận", "ok nhận rồi", "đã nhận được",
        "nhận được thông báo", "nhận được",
        "đã nhận thông báo", "ok đã đọc",
    ),
    "nhap": (
        "nhập", "nhập ds", "nhập danh sách", "nhập file", "nhập danh sách hộ", "nhap",
    ),
    "huy": (
        "huỷ", "hủy", "thôi", "thui", "dừng lại", "không ghi nữa", "thôi không ghi nữa", "huỷ bỏ", "bỏ đi",
        "thoát", "cancel", "stop", "thôi khỏi", "thôi không", "không làm nữa", "thôi bỏ",
    ),
    "lienket": (
        "liên kết", "lienket", "liên kết tài khoản", "nối tài khoản", "kết nối tài khoản", "nối zalo",
    ),
    "nhom": (  # not "nhóm" alone: a word of many sentences ("nhóm hộ xóm 3")
        "nhóm chat", "nhóm của tổ", "nhóm chat của tổ", "liên kết nhóm", "nhóm zalo", "nhóm telegram",
    ),
    "moi": (
        "mời", "lời mời", "mã mời", "mời thành viên", "tạo mã mời", "mời người",
    ),
    "trogiup": (
        "trợ giúp", "trogiup", "help", "menu", "hướng dẫn", "huongdan", "lệnh", "các lệnh", "?", "giúp", "giúp đỡ",
        "hdsd", "cách dùng", "dùng thế nào",
    ),
}
YES_WORDS = (
    "có", "ok", "u", "ừ", "vâng", "dạ", "đúng", "đúng rồi", "đồng ý", "chốt", "được", "được rồi", "yes", "y",
    "lưu", "lưu lại", "ok lưu", "chuẩn", "chính xác", "phải", "rồi", "có ạ", "dạ có", "dạ vâng", "ok đồng ý",
    "chuẩn rồi", "ok luôn", "đồng ý lưu", "ok chốt", "ok con dê", "oke con dê",
)
NO_WORDS = (
    "không", "không phải", "sai", "chưa", "không đồng ý", "no", "sai rồi", "chưa đúng", "không có", "từ chối",
    "không muốn", "không chịu", "không cho", "chưa đồng ý",
)
GREETING_WORDS = (
    "chào", "xin chào", "alo", "a lô", "hello", "hi", "chào bot", "chào bạn", "chào em", "hế lô", "alo alo",
    "chào buổi sáng",
)
THANKS_WORDS = (
    "cảm ơn", "cám ơn", "camon", "cảm ơn nhiều", "thanks", "thank you", "tks", "thank", "ok cảm ơn", "cảm ơn bot",
)
# Words that may stand around a phrase without changing what it means. Never a "no": it would turn a meaning.
FILLER_WORDS = (
    "xem", "cho", "mình", "tôi", "em", "anh", "chị", "muốn", "giúp", "hãy", "vui lòng", "ơi", "bot", "ad", "admin",
    "xin", "làm ơn", "nhé", "nha", "nhá", "ạ", "a", "với", "đi", "nào", "nè", "ne", "mở", "vào", "cái", "thế",
    "coi", "bạn", "sổ tay", "đây", "luôn", "giùm", "dùm", "nhỉ", "lại", "chút", "đã", "ấy", "bác", "nhiều",
    "lắm", "vậy", "gì", "thế nào", "để", "mấy",
)
# A new household named after the logging command: "ghi nhận hộ mới".
NEW_HOUSEHOLD_WORDS = (
    "hộ mới", "mới", "thêm hộ", "thêm hộ mới", "hộ mới thêm", "thêm mới",
)
# Words before a name that are not part of it: "bà Hoa xóm 6", "ông Lộc".
HOUSEHOLD_TITLES = (
    "bà", "ông", "chú", "cô", "anh", "chị", "bác", "cụ", "em", "thím", "dì", "mợ", "cậu", "hộ", "nhà",
)
# Days of the week for a visit's day ("thứ hai", "t2", "chủ nhật", "cn"): Monday is 0.
WEEKDAY_WORDS: dict[int, tuple[str, ...]] = {
    0: ("thứ hai", "thứ 2", "t2", "thu2", "thứ hai tuần này"),
    1: ("thứ ba", "thứ 3", "t3", "thu3"),
    2: ("thứ tư", "thứ 4", "t4", "thu4"),
    3: ("thứ năm", "thứ 5", "t5", "thu5"),
    4: ("thứ sáu", "thứ 6", "t6", "thu6"),
    5: ("thứ bảy", "thứ 7", "t7", "thu7"),
    6: ("chủ nhật", "cn", "chu nhat"),
}
# Days said in words ("hôm nay", "tối qua", "hôm kia"): how many days back.
RELATIVE_DAY_WORDS: dict[int, tuple[str, ...]] = {
    0: ("hôm nay", "nay", "bữa nay", "sáng nay", "chiều nay", "trưa nay", "tối nay", "ngày hôm nay", "vừa xong"),
    1: ("hôm qua", "qua", "bữa qua", "sáng qua", "chiều qua", "trưa qua", "tối qua", "ngày hôm qua"),
    2: ("hôm kia", "kia", "bữa kia"),
}
# Words around a day that change nothing ("hôm thứ ba", "sáng thứ hai", "vào thứ sáu").
DAY_FILLERS = ("hôm", "sáng", "chiều", "trưa", "tối", "bữa", "lúc", "vào", "ngày", "đi", "hộ")
# After a day of the week: the week before this one ("thứ tư tuần trước").
LAST_WEEK_WORDS = ("tuần trước", "tuần rồi", "tuần qua")
# fmt: on
FRIENDLY_HELLO = "Chào {name}! Chọn một việc trong menu, hoặc gõ: trợ giúp để xem các việc bạn làm được."
FRIENDLY_THANKS = "Không có gì ạ, cảm ơn {name} đã làm việc chăm chỉ! Cần gì cứ chọn trong menu, hoặc gõ: trợ giúp."
ASK_WHICH_COMMAND = "Bạn muốn làm việc nào?"

# --- joining ------------------------------------------------------------------------------------------------
ROLE_MEMBER = "tổ viên"
ROLE_LEADER = "tổ trưởng"
ROLE_STAFF = "cán bộ xã"
JOIN_OK = "Chào mừng {name}! Bạn đã tham gia Sổ tay số với vai trò {role}, {where}.\n{next}"
# What to do first, by role; written for every app (a menu item is typed on Zalo, tapped on Telegram).
JOIN_NEXT_TEAM = "Mỗi khi hướng dẫn xong một hộ, gõ: ghi nhận (hoặc /ghinhan). Gõ trợ giúp để xem các việc khác."
JOIN_NEXT_LEADER = (
    "Mời tổ viên bằng /moi, xem tiến độ của tổ bằng: tiến độ, nộp báo cáo kỳ bằng: báo cáo. "
    "Ghi nhận hộ bạn tự hướng dẫn: ghi nhận. Gõ trợ giúp để xem thêm."
)
JOIN_NEXT_STAFF = (
    "Xem tiến độ các tổ: tiến độ; tình hình nộp báo cáo: báo cáo; gửi tin cho các tổ: thông báo; "
    "mời tổ trưởng: /moi. Gõ trợ giúp để xem thêm."
)
JOIN_UNKNOWN = "Mã mời không đúng. Hãy kiểm tra lại từng ký tự (mã gồm 8 chữ và số, ví dụ ABCD2345) rồi gửi /start MÃ."
JOIN_USED = "Mã mời này đã được dùng. Mỗi mã chỉ dùng một lần; hãy xin tổ trưởng hoặc cán bộ xã một mã mới."
JOIN_EXPIRED = "Mã mời này đã hết hạn. Hãy xin tổ trưởng hoặc cán bộ xã một mã mới."
JOIN_THROTTLED = (
    "Mã mời đã bị gõ sai {tries} lần liền. Để giữ an toàn, hãy đợi {minutes} phút rồi gửi lại /start MÃ; "
    "nếu mã vẫn không đúng, hãy xin tổ trưởng hoặc cán bộ xã một mã mới."
)
JOIN_ALREADY = "Bạn đã tham gia rồi. Gõ /trogiup để xem các lệnh."

# --- invites ------------------------------------------------------------------------------------------------
FLOW_TITLE_INVITE = "tạo mã mời"
INVITE_ASK_TEAM = "Mời vào tổ nào?"
INVITE_COMMUNE_LEVEL = "Cán bộ xã (không thuộc tổ)"
INVITE_ASK_ROLE = "Mời vào {team} với vai trò gì?"
INVITE_CREATED = (
    "Mã mời: {code}\nVai trò: {role}, {team}. Dùng được một lần, trong {hours} giờ.\n"
    "Người được mời gửi cho bot: /start {code}{link}"
)
INVITE_LINK = "\nHoặc mở liên kết trên Telegram: {link}"

# --- flows in general ---------------------------------------------------------------------------------------
FLOW_RESUME = "Bạn đang {title} dở từ trước. Tiếp tục hay huỷ?"
FLOW_RESUME_CONTINUE = "Tiếp tục"
FLOW_RESUME_CANCEL = "Huỷ"
FLOW_GONE = "Việc đang làm dở thuộc phiên bản cũ của bot nên không tiếp tục được. Hãy bắt đầu lại (ví dụ /ghinhan)."

# --- logging a visit ----------------------------------------------------------------------------------------
FLOW_TITLE_LOG_VISIT = "ghi nhận một hộ"
HH_PICK = "Hộ nào? Chọn trong danh sách, hoặc gõ tên chủ hộ để tìm (không dấu cũng được)."
HH_PICK_EMPTY = "Tổ chưa có hộ nào. Chọn “Thêm hộ mới”, hoặc gõ tên chủ hộ để tìm."
HH_SEARCH_RESULTS = "Các hộ khớp với “{query}”. Chọn một hộ, hoặc gõ tên khác để tìm lại."
HH_NO_MATCH = "Không tìm thấy hộ nào tên “{query}” trong tổ. Gõ tên khác, hoặc chọn “Thêm hộ mới”."
HH_TYPE_MORE = "Hãy gõ ít nhất 2 chữ của tên chủ hộ để tìm, hoặc chọn trong danh sách."
HH_NOT_FOUND = "Không tìm thấy hộ này trong tổ của bạn. Hãy chọn lại trong danh sách."
HH_ADD_NEW = "➕ Thêm hộ mới"
HH_ASK_NAME = "Họ tên chủ hộ là gì? (ví dụ: Nguyễn Văn An)"
HH_ASK_NAME_SUGGESTED = "Họ tên chủ hộ là “{name}”? Chọn để giữ, hoặc gõ tên đầy đủ."
HH_NAME_INVALID = "Tên chủ hộ cần ít nhất 2 chữ cái. Hãy gõ lại, ví dụ: Nguyễn Văn An."
HH_ASK_ADDRESS = "Địa chỉ hoặc xóm của hộ {name}? (ví dụ: Xóm 3, số nhà 12)"
HH_ADDRESS_INVALID = "Hãy gõ địa chỉ hoặc tên xóm, ví dụ: Xóm 3."
HH_NAME_HAS_DIGITS = (
    "Tên chủ hộ không có chữ số (địa chỉ và số điện thoại hỏi ở bước sau). Hãy gõ họ tên, ví dụ: Nguyễn Văn An."
)
HH_ADDRESS_IS_PHONE = (
    "Đây giống số điện thoại; bot sẽ hỏi số điện thoại ở bước sau. Bây giờ hãy gõ địa chỉ hoặc xóm, ví dụ: Xóm 3."
)
HH_ASK_PHONE = "Số điện thoại của hộ (không bắt buộc)? Gõ số, hoặc chọn Bỏ qua."
HH_PHONE_INVALID = "Số điện thoại chưa đúng. Gõ kiểu 0912 345 678 hoặc +84 912 345 678, hoặc chọn Bỏ qua."
HH_PHONE_UNUSUAL = "Lưu ý: số {phone} không thuộc đầu số thường gặp. Vẫn lưu; nếu gõ nhầm, sửa sau cũng được."
HH_ASK_FLAGS = "Hộ thuộc diện ưu tiên nào? Chọn tất cả mục đúng, rồi Xong (không có thì chọn Xong luôn)."
FLAG_ELDERLY = "👴 Có người cao tuổi"
FLAG_ETHNIC = "🏔 Dân tộc thiểu số"
FLAG_NO_DEVICE = "📵 Chưa có thiết bị số"
HH_ASK_CONSENT = "Hỏi ý kiến hộ trước khi lưu:\n“{text}”\nHộ có đồng ý không?"
CONSENT_YES = "Hộ đồng ý"
CONSENT_NO = "Hộ không đồng ý"
CONSENT_SURE = (
    "Hộ không đồng ý thì bot không lưu gì về hộ {name}: tên, địa chỉ, số điện thoại vừa gõ sẽ bị bỏ. Chắc chắn chưa?"
)
CONSENT_SURE_YES = "Đúng, hộ không đồng ý"
CONSENT_SURE_BACK = "Quay lại hỏi ý kiến"
CONSENT_REFUSED = "Đã dừng: hộ không đồng ý nên bot không lưu thông tin của hộ. Cảm ơn bạn đã hỏi ý kiến."
DUP_ASK = "Trong tổ đã có hộ giống vậy. Có phải hộ này không?"
DUP_NONE = "Không, đây là hộ mới"
DUP_USING_EXISTING = "Dùng hộ đã có trong sổ, không tạo hộ trùng."
HH_NEW_MARK = "{name} — {address} (hộ mới)"
SKILLS_ASK = "Nội dung đã hướng dẫn cho hộ {household}? Chọn một hay nhiều mục, rồi Xong."
SKILLS_NONE = "Hãy chọn ít nhất một nội dung đã hướng dẫn, rồi Xong."
SKILLS_AS_BEFORE = "↻ Như lần trước: {skills}"
SKILLS_NOT_UNDERSTOOD = "Chưa hiểu “{text}”. Gõ số thứ tự (ví dụ 1 3) hoặc tên nội dung như vneid, dvc, rồi 0 để xong."
OUTCOME_DONE = "đã xong"
OUTCOME_RETURN = "cần quay lại"
VISIT_SUMMARY = "🏠 {household}\n📚 {skills}\n👥 {people} người · {outcome}\n📅 {date}{note}"
VISIT_SUMMARY_NOTE = "\n📝 {note}"
CONFIRM_ASK = "Kiểm tra lại rồi Lưu:\n{summary}"
CONFIRM_HINT = "Chọn Lưu để ghi lại, hoặc một mục để sửa. Gõ “2 người” để đổi số người."
BTN_SAVE = "✅ Lưu"
BTN_PEOPLE = "👥 Số người"
BTN_MARK_RETURN = "🔁 Cần quay lại"
BTN_MARK_DONE = "✔️ Đã xong"
BTN_NOTE = "📝 Ghi chú"
BTN_EDIT_SKILLS = "✏️ Sửa nội dung"
PEOPLE_ASK = "Bao nhiêu người trong hộ được hướng dẫn lần này? Chọn, hoặc gõ số."
PEOPLE_INVALID = "Hãy gõ một số từ 1 đến 50, ví dụ: 3."
NOTE_ASK = "Gõ ghi chú ngắn (không ghi số CCCD, mật khẩu hay mã OTP của người dân)."
NOTE_CLEAR = "Không ghi chú"
VISIT_SAVED = "Đã lưu lượt #{id}. Cảm ơn bạn!\n{summary}\nGõ /ghinhan để ghi hộ tiếp theo."

# --- channels without buttons (terminal, Zalo) ---------------------------------------------------------------
NUMBERED_HINT = "(Gõ số thứ tự, hoặc tên mục.)"
NUMBERED_HINT_MULTI = "(Gõ các số cần chọn, ví dụ “1 3”; thêm 0 để xong luôn: “1 3 0”.)"
MENU_LINE = "Menu: {items}"

# --- terminal demo and command line --------------------------------------------------------------------------
ROLE_NAMES = {"member": "tổ viên", "leader": "tổ trưởng", "staff": "cán bộ xã", "admin": "quản trị"}
DEMO_BANNER = (
    "Sổ tay số — bản chạy thử trên {commune} (dữ liệu giả lập).\n"
    "Bạn đang là {role}. Gõ /trogiup để xem lệnh, /ghinhan để ghi nhận một hộ. Ctrl+D hoặc /thoat để thoát.\n"
    "Thử vai khác: sotay demo --as leader | staff"
)
CLI_NO_TOKEN = "Chưa có TELEGRAM_BOT_TOKEN hay ZALO_BOT_TOKEN nên mở bản chạy thử trong cửa sổ dòng lệnh."
CLI_DB_UPGRADED = "Đã cập nhật cơ sở dữ liệu: {url}"
CLI_UNKNOWN_TEAM = "Không có tổ mã {team}. Các mã trong config.yaml: {codes}"
CLI_TEAM_NEEDED = "Vai trò {role} cần --team MÃ_TỔ."
CLI_INVITE_CREATED = (
    "Mã mời: {code}\nVai trò: {role} — {where}\nHết hạn: {expires}\nNgười được mời gửi cho bot: /start {code}"
)
CLI_INVITE_LINK = "Liên kết Telegram: {link}"
CLI_INVITE_FOR_BOT = "Chỉ bot {bot} nhận mã này: người được mời gửi mã cho đúng bot đó."
CLI_UNKNOWN_BOT = "Không có bot {bot}. Các bot trong config.yaml: {keys}."
CLI_FAILED = "Lỗi: {error}. Chạy lại với --debug để xem chi tiết."
CLI_DB_UNREACHABLE = (
    "Không kết nối được cơ sở dữ liệu ({url}). Kiểm tra database.url trong config.yaml hoặc SOTAY_DATABASE_URL."
)

# --- telegram ---
TG_WEBHOOK_URL_MISSING = (
    "Chế độ webhook cần địa chỉ HTTPS công khai: đặt channels.telegram.webhook.url trong config.yaml, "
    "hoặc dùng mode: polling."
)
TG_WEBHOOK_SECRET_MISSING = (
    "Chế độ webhook cần biến môi trường {env} (một chuỗi bí mật để Telegram ký các yêu cầu gửi đến bot)."
)
TG_TOKEN_REJECTED = (
    "Telegram từ chối token của bot (biến môi trường {env}). Kiểm tra lại token do @BotFather cấp; "
    "nếu vừa tạo lại token thì cập nhật biến này."
)

# --- one person on two channels ---------------------------------------------------------------------------------
CMD_LINK = "Dùng cùng tài khoản trên Zalo và Telegram"
LINK_CODE = (
    "Mã liên kết: {code} (dùng một lần, trong {minutes} phút).\n"
    "Mở bot Sổ tay số trên ứng dụng còn lại (Zalo hoặc Telegram) và gửi: /start {code}\n"
    "Sau đó bạn thấy cùng dữ liệu trên cả hai."
)
LINK_OK = "Đã liên kết: {name} ({role}, {where}) giờ dùng được bot trên cả ứng dụng này. Dữ liệu là một."

# --- zalo ---
ZALO_POLLING_IS_FOR_TESTING = (
    "Zalo đang chạy kiểu polling (getUpdates): tài liệu của Zalo chỉ dùng cách này để thử nghiệm. Khi chạy thật, "
    "hãy đặt channels.zalo.mode: webhook, biến ZALO_WEBHOOK_SECRET và đăng ký bằng: sotay zalo set-webhook "
    "https://tên-miền/zalo/webhook (xem README, mục Zalo)."
)
ZALO_WEBHOOK_SECRET_MISSING = (
    "Chế độ webhook của Zalo cần biến môi trường {env}: một chuỗi bí mật dài 8–256 ký tự, "
    "để bot nhận ra các yêu cầu thật sự đến từ Zalo. Hoặc dùng mode: polling."
)
ZALO_PICTURE_NO_PUBLIC_URL = (
    "(Có một hình ảnh nhưng chưa gửi được qua Zalo: quản trị cần đặt channels.zalo.public_base_url, "
    "địa chỉ công khai của bot.)"
)
ZALO_FILE_NO_PUBLIC_URL = (
    "(Có tệp {name} nhưng chưa gửi được qua Zalo: quản trị cần đặt channels.zalo.public_base_url, "
    "địa chỉ công khai của bot.)"
)
ZALO_FILE_LINK = "📎 Tải tệp {name}: {url}\n(Liên kết chỉ dùng được trong {minutes} phút.)"
ATTACHMENT_EXPIRED = "(Hình ảnh hoặc tệp kèm tin này đã hết hạn; gõ lại lệnh nếu cần xem lại.)"
ZALO_MENU_HINT = "Gõ tên một mục trong menu, hoặc gõ lệnh."

# --- sotay zalo (administrator) ---------------------------------------------------------------------------------
ZALO_CLI_NO_TOKEN = "Chưa có mã bot Zalo: đặt biến môi trường {env} (lấy ở trang quản lý Zalo Bot)."
ZALO_CLI_HTTPS = "Địa chỉ webhook phải bắt đầu bằng https://"
ZALO_CLI_NO_SECRET = "Cần mã bí mật webhook dài 8–256 ký tự trong biến môi trường {env}, ví dụ {env}={suggestion}"
ZALO_CLI_API_ERROR = "Zalo Bot API từ chối: {error}"
ZALO_CLI_WEBHOOK_SET = "Đã đăng ký webhook: {url}. Chạy bot với channels.zalo.mode: webhook."
ZALO_CLI_WEBHOOK_DELETED = "Đã xoá webhook; bot có thể chạy chế độ polling."
ZALO_CLI_POLLING = "không có (chế độ polling)"
ZALO_CLI_BOT = "Bot Zalo: {name}\nWebhook: {webhook}"
ZALO_CLI_WHICH_BOT = "— {bot} ({key})"
ZALO_CLI_QUOTA = "Tin đã gửi tháng {month}: {used}/{limit} ({share}); đang chờ gửi: {pending}"

# --- the day of a visit -----------------------------------------------------------------------------------------
DAY_ASK = "Ngày đi hỗ trợ (đang là {day})? Chọn, hoặc gõ ngày dạng 12/10."
DAY_TODAY = "Hôm nay ({day})"
DAY_YESTERDAY = "Hôm qua ({day})"
DAY_INVALID = "Chưa đọc được ngày. Gõ ví dụ: hôm qua, 12/10 hoặc 12/10/2026."
DAY_FUTURE = "Ngày {day} chưa tới. Chọn hôm nay, hôm qua, hoặc gõ một ngày đã qua."
DAY_TOO_OLD = "Ngày {day} đã quá xa; chỉ ghi được từ {earliest} trở lại đây. Việc cũ hơn, báo tổ trưởng."
DAY_LOCKED = (
    "Ngày {day} thuộc kỳ {period} mà tổ đã nộp báo cáo, nên không ghi hay sửa được nữa. "
    "Cần sửa thì báo cán bộ xã mở lại kỳ."
)

# --- command menu entries of the household register --------------------------------------------------
CMD_EDIT_VISIT = "Sửa hoặc huỷ lượt đã ghi"
CMD_FLAG_VISIT = "Đánh dấu lượt cần kiểm tra (tổ trưởng)"
CMD_IMPORT = "Nhập danh sách hộ từ tệp Excel/CSV"
BTN_DAY = "📅 Đổi ngày"

# --- visit corrections ---
FLOW_TITLE_CORRECT_VISIT = "sửa một lượt"
CORRECT_USAGE = "Gõ /sua để sửa lượt vừa ghi, hoặc /sua SỐ_LƯỢT để mở một lượt, ví dụ: /sua 123."
CORRECT_NOT_FOUND = "Không tìm thấy lượt #{id} trong tổ của bạn."
CORRECT_NO_LAST = "Bạn chưa có lượt nào để sửa. Gõ /ghinhan để ghi nhận một hộ."
CORRECT_TEAM_EMPTY = "Tổ chưa có lượt nào để sửa."
CORRECT_PICK = "Sửa lượt nào? Chọn trong các lượt mới nhất của tổ, hoặc gõ số lượt, ví dụ: #123."
CORRECT_PICK_INVALID = "Hãy chọn một lượt trong danh sách, hoặc gõ số lượt, ví dụ: #123."
CORRECT_PICK_ITEM = "#{id} · {day} · {household} · {member}"
CORRECT_HEADER = "Lượt #{id} ({member} ghi lúc {logged}):\n{summary}"
CORRECT_CHANGES = "Sẽ đổi:\n{changes}\nChọn Lưu thay đổi, hoặc sửa tiếp."
CORRECT_CHOOSE = "Bạn muốn sửa gì?"
CORRECT_HINT = "Chọn một mục trong danh sách (gõ số thứ tự cũng được). Gõ “2 người” để đổi số người."
BTN_SAVE_CHANGES = "✅ Lưu thay đổi"
BTN_UNDO_VISIT = "🗑 Huỷ lượt này"
BTN_FIX_SKILLS = "📚 Sửa kỹ năng"
BTN_FIX_PEOPLE = "👥 Sửa số người"
BTN_FIX_OUTCOME = "🔁 Đổi kết quả thành “{outcome}”"
BTN_FIX_NOTE = "📝 Sửa ghi chú"
BTN_FIX_DAY = "📅 Đổi ngày"
BTN_KEEP = "↩️ Giữ nguyên"
CHANGE_SKILLS = "📚 Nội dung: {before} → {after}"
CHANGE_PEOPLE = "👥 Số người: {before} → {after}"
CHANGE_OUTCOME = "✔️ Kết quả: {before} → {after}"
CHANGE_DAY = "📅 Ngày: {before} → {after}"
CHANGE_NOTE_ADDED = "📝 Thêm ghi chú"
CHANGE_NOTE_EDITED = "📝 Sửa ghi chú"
CHANGE_NOTE_REMOVED = "📝 Xoá ghi chú"
UNDO_ASK = "Huỷ lượt #{id} (hộ {household})? Lượt này sẽ không được tính nữa; lịch sử của tổ vẫn lưu lại."
UNDO_YES = "Đúng, huỷ lượt"
UNDO_NO = "Không, quay lại"
UNDONE = "Đã huỷ lượt #{id}. Lượt này không còn được tính; lịch sử vẫn lưu lại."
CORRECTED = "Đã sửa lượt #{old}. Lượt sau khi sửa là #{new}.\n{changes}\n{summary}"
CORRECT_KEPT = "Không đổi gì: lượt #{id} giữ nguyên."
CORRECT_NOT_OWN = "Lượt #{id} do người khác ghi. Bạn chỉ sửa được lượt của mình; cần sửa thì báo tổ trưởng."
CORRECT_WINDOW_PASSED = (
    "Lượt #{id} đã ghi quá {hours} giờ nên bạn không tự sửa hay huỷ được nữa. Cần sửa thì báo tổ trưởng."
)
CORRECT_WAS_CORRECTED = "Lượt #{id} đã được sửa thành lượt #{new}. Gõ /sua {new} để mở lượt mới."
CORRECT_WAS_UNDONE = "Lượt #{id} đã bị huỷ nên không sửa được nữa."
CORRECT_LOCKED = (
    "Lượt #{id} (ngày {day}) thuộc kỳ {period} mà tổ đã nộp báo cáo, nên không sửa hay huỷ được. "
    "Cần sửa thì báo cán bộ xã mở lại kỳ."
)
CORRECT_NO_CHANGE = "Chưa có gì thay đổi so với lượt đã ghi."
MEMBER_TOLD_CORRECTED = (
    "Tổ trưởng {leader} đã sửa lượt #{old} của bạn (hộ {household}). Lượt sau khi sửa là #{new}.\n{changes}"
)
MEMBER_TOLD_UNDONE = "Tổ trưởng {leader} đã huỷ lượt #{id} của bạn (hộ {household}). Lượt này không còn được tính."
TOLD_MEMBER = "Đã báo cho {member}."
FLAG_USAGE = (
    "Gõ /kiemtra SỐ_LƯỢT LÝ_DO, ví dụ: /kiemtra 123 số người chưa đúng.\nGõ /kiemtra để xem các lượt đang chờ kiểm tra."
)
FLAG_REASON_TOO_LONG = "Lý do dài {length} ký tự; hãy viết gọn trong {limit} ký tự."
FLAG_SAVED = "Đã đánh dấu lượt #{id} (hộ {household}) cần kiểm tra."
FLAG_NOTICE = (
    "⚠️ Tổ trưởng {leader} đánh dấu lượt #{id} (hộ {household}, ngày {day}) cần kiểm tra.\n"
    "Lý do: {reason}\nGõ /sua {id} để sửa."
)
FLAG_NONE_OPEN = "Không có lượt nào đang chờ kiểm tra."
FLAG_OPEN_LIST = "Các lượt đang chờ kiểm tra:\n{items}\nLượt được sửa hoặc huỷ thì tự hết đánh dấu."
FLAG_OPEN_ITEM = "#{id} · {day} · {household} · {member}\n   Lý do: {reason}"

# --- households: mine, find, card, platform status, return visits, assignment -----------------------------------
CMD_QUICK = "Ghi nhanh một dòng: /gn Tên chủ hộ, xóm: kỹ năng, số người"
CMD_MINE = "Các hộ bạn phụ trách và trạng thái"
MENU_MINE = "🏠 Hộ của tôi"
CMD_FIND = "Tìm và xem một hộ: /ho tên chủ hộ"
CMD_RETURNS = "Các hộ cần quay lại hỗ trợ"
CMD_ASSIGN = "Giao hộ cho tổ viên (tổ trưởng)"
FLOW_TITLE_MINE = "xem hộ của bạn"
FLOW_TITLE_FIND = "xem một hộ"
FLOW_TITLE_RETURNS = "xem các hộ cần quay lại"
FLOW_TITLE_ASSIGN = "giao hộ cho tổ viên"
PLATFORM_USES = "đang dùng"
PLATFORM_GUIDED = "đã hướng dẫn"
PLATFORM_NONE = "chưa"
PLATFORM_LEGEND = "Nền tảng: {platforms} (✅ đang dùng · 🟡 đã hướng dẫn · ⬜ chưa)"
MINE_HEADER = "Hộ bạn phụ trách: {progress} (mục tiêu {target} hộ)"
MINE_VISITED = (
    "Chưa hộ nào được giao cho bạn (tổ trưởng giao bằng /phancong), nên số hộ phụ trách là 0/{target}. "
    "Các hộ bạn đã đến: {n} hộ."
)
MINE_EMPTY = (
    "Bạn chưa phụ trách hộ nào. Hộ bạn thêm khi ghi nhận (/ghinhan) là hộ của bạn; "
    "tổ trưởng cũng có thể giao hộ bằng /phancong. Gõ tên chủ hộ để tìm một hộ của tổ."
)
LIST_PICK = "Chọn một hộ để xem, hoặc gõ tên chủ hộ để tìm."
LIST_MORE = " (còn {n} hộ nữa: gõ tên để tìm)"
FIND_PROMPT = "Gõ tên chủ hộ để tìm (không dấu cũng được), hoặc chọn một hộ gần đây."
HH_NO_MATCH_FIND = "Không tìm thấy hộ nào tên “{query}” trong tổ. Hãy gõ tên khác, ví dụ: nguyen van an."
HH_NOT_FOUND_ID = "Không tìm thấy hộ #{id} trong tổ của bạn. Gõ /ho và tên chủ hộ để tìm."
RETURNS_HEADER = "Có {n} hộ đang chờ quay lại hỗ trợ (lâu nhất trước)."
RETURNS_SINCE = " · từ {day}"
RETURNS_NONE = "Không có hộ nào đang chờ quay lại. Khi ghi lượt, chọn “Cần quay lại” để hộ vào danh sách này."
CARD_HEAD = "🏠 {name} — {address} (hộ #{id})"
CARD_NO_PHONE = "Chưa có số điện thoại"
CARD_KEEPER = "Phụ trách: {name}"
CARD_NOBODY = "chưa giao cho ai"
CARD_CONSENT = "Đã đồng ý cho lưu thông tin: {day} (bản {version})"
CARD_NO_CONSENT = "Chưa hỏi ý kiến hộ (sẽ hỏi ở lượt ghi nhận đầu tiên)"
CARD_PLATFORMS = "Nền tảng số:"
CARD_VISITS = "Lượt gần đây:"
CARD_VISIT_LINE = "• {day}: {skills} ({name}){mark}"
CARD_RETURN_MARK = " — cần quay lại"
CARD_LOG = "📝 Ghi nhận lượt cho hộ này"
CARD_EDIT_PLATFORM = "✏️ Sửa trạng thái nền tảng"
CARD_ASSIGN = "👥 Giao cho tổ viên"
CARD_BACK = "◀️ Quay lại danh sách"
CARD_CLOSE = "✔️ Xong"
CARD_CLOSED = "Đã đóng. Gõ /hocuatoi hoặc /ho khi cần xem lại."
PLATFORM_ASK = "Sửa trạng thái nền tảng nào?"
PLATFORM_STATUS_ASK = "Hộ này với {platform} hiện thế nào?"
PLATFORM_UPDATED = "Đã cập nhật: {platform} — {status}."
ASSIGN_WHO = "Giao hộ cho tổ viên nào? (số hộ đang phụ trách / mục tiêu)"
ASSIGN_WHO_ONE = "Giao hộ {household} cho tổ viên nào? (số hộ đang phụ trách / mục tiêu)"
ASSIGN_MEMBER_LABEL = "{name} — {n}/{target} hộ"
ASSIGN_PICK = (
    "Chọn các hộ giao cho {name}, rồi Xong. Hộ chưa ai phụ trách đứng trước; "
    "hộ đã có người ghi kèm tên. Gõ tên chủ hộ để tìm hộ khác."
)
ASSIGN_PICKED_ELSEWHERE = "Đã chọn thêm {n} hộ ở danh sách trước."
ASSIGN_NONE_CHOSEN = "Chưa chọn hộ nào. Chọn ít nhất một hộ rồi Xong, hoặc gõ /huy để thôi."
ASSIGN_MEMBER_GONE = "Tổ viên này không còn trong tổ. Gõ /phancong để chọn lại."
ASSIGN_DONE = "Đã giao {n} hộ cho {name}. {name} đang phụ trách {total}/{target} hộ."
ASSIGN_NOTICE = (
    "Tổ trưởng {leader} đã giao thêm {n} hộ cho bạn: {households}. Bạn đang phụ trách {total} hộ. Gõ /hocuatoi để xem."
)
GN_USAGE = (
    "Ghi nhanh một dòng: /gn Tên chủ hộ, xóm: kỹ năng, số người\n"
    "Ví dụ: /gn Nguyễn Văn An, xóm 3: vneid dvc 2 nguoi\n"
    "Thêm “hom qua” hoặc “12/10” để ghi ngày khác, “quay lai” nếu cần quay lại, “ghi chu: …” để ghi chú."
)
GN_UNKNOWN = "Chưa hiểu: {parts}. Phần còn lại đã giữ; sửa ở bước sau nếu cần."
GN_NO_NAME = "Chưa có tên chủ hộ trong dòng vừa gõ."
GN_NEW_HOUSEHOLD = "Tổ chưa có hộ “{name}”: thêm hộ mới."
GN_DAY_TODAY = "Tạm ghi ngày hôm nay; chọn “Đổi ngày” ở bước cuối nếu cần."

# --- household import ---
FLOW_TITLE_IMPORT = "nhập danh sách hộ từ tệp"
IMPORT_HOWTO = (
    "Nhập danh sách hộ sẵn có của một thôn:\n"
    "• Trên Telegram: bấm 📎, chọn tệp Excel (.xlsx) hoặc .csv rồi gửi vào đây (tối đa {mb} MB).\n"
    "• Zalo chưa nhận được tệp: hãy gửi qua Telegram, hoặc nhờ quản trị chạy lệnh "
    "sotay import households TỆP --team MÃ_TỔ.\n"
    "Dòng tiêu đề cần có cột “Họ tên chủ hộ” và “Địa chỉ”; có thể thêm “Số điện thoại”, “Người cao tuổi”, "
    "“Dân tộc thiểu số”, “Không có thiết bị”, “Người phụ trách” (có dấu hay không dấu đều được). "
    "Bot cho xem trước kết quả, bạn đồng ý rồi mới nhập."
)
IMPORT_STAFF_ONLY = (
    "Chỉ cán bộ xã nhập danh sách hộ từ tệp. Để thêm một hộ, gõ /ghinhan rồi chọn “Thêm hộ mới”; "
    "có sẵn danh sách thì gửi cho cán bộ xã."
)
IMPORT_FILE_TOO_BIG = (
    "Bot không tải được tệp này: tệp quá lớn (bot nhận tệp tối đa {mb} MB) hoặc ứng dụng không cho tải. "
    "Hãy chia nhỏ danh sách, hoặc nhờ quản trị chạy lệnh sotay import households."
)
IMPORT_FILE_UNREADABLE = "Không đọc được tệp “{name}”: {reason}"
IMPORT_ASK_TEAM = "Nhập tệp “{name}” vào sổ hộ của tổ nào?"
IMPORT_CONFIRM = "{summary}\n\nNhập vào sổ hộ của {team}?"
IMPORT_CONFIRM_HINT = "Chọn “Nhập vào sổ” (gõ 1) để lưu, hoặc “Huỷ” (gõ 2)."
IMPORT_BTN_APPLY = "✅ Nhập vào sổ"
IMPORT_BTN_CANCEL = "✖️ Huỷ"
IMPORT_CANCELLED = "Đã huỷ, chưa nhập gì. Tệp đã được xoá khỏi bot."
IMPORT_NOTHING_TO_DO = "{summary}\n\nKhông có hộ nào cần thêm hay bổ sung nên không nhập gì. Tệp đã được xoá khỏi bot."
IMPORT_DONE = "Đã nhập xong vào sổ hộ của {team}. Tệp đã được xoá khỏi bot.\n{summary}"
IMPORT_UPLOAD_GONE = "Tệp đã gửi không còn trên bot (đã quá một ngày hoặc đã huỷ). Hãy gửi lại tệp."
IMPORT_DUPLICATE_HINT = "Hộ nghi trùng chưa được thêm: sửa tệp rồi nhập lại, hoặc thêm từng hộ bằng /ghinhan."
IMPORT_CONSENT_NOTE = "Hộ nhập từ tệp chưa có ý kiến đồng ý; tổ viên hỏi ý kiến hộ ở lần đến đầu tiên."

# reading the file
TABLE_EMPTY = "tệp trống, không có dòng nào."
TABLE_OLD_EXCEL = "đây là tệp Excel kiểu cũ (.xls). Hãy mở bằng Excel, chọn Lưu thành (Save As) dạng .xlsx hoặc CSV UTF-8 rồi gửi lại."
TABLE_BAD_XLSX = "tệp .xlsx bị hỏng hoặc không phải tệp Excel."
TABLE_ENCODING = "không nhận ra bảng mã chữ của tệp CSV (cần UTF-8 hoặc Windows-1258). Hãy lưu lại dạng CSV UTF-8."
TABLE_NO_HEADER = (
    "trong 10 dòng đầu không có dòng tiêu đề nào có cột {missing}. Các cột tìm thấy: {found}. "
    "Hãy đặt tên cột, ví dụ “Họ tên chủ hộ” và “Địa chỉ”."
)
TABLE_NO_HEADER_EMPTY = (
    "trong 10 dòng đầu không có dòng tiêu đề nào. Dòng tiêu đề cần có cột “Họ tên chủ hộ” và “Địa chỉ”."
)
FIELD_LABELS = {
    "name": "Họ tên chủ hộ",
    "surname": "Họ",
    "address": "Địa chỉ",
    "phone": "Số điện thoại",
    "elderly": "Người cao tuổi",
    "ethnic_minority": "Dân tộc thiểu số",
    "ethnicity": "Dân tộc",
    "no_device": "Không có thiết bị",
    "assigned": "Người phụ trách",
}

# the report of an import (preview or result)
IMPORT_SOURCE_SHEET = "Trang “{sheet}”, dòng tiêu đề số {row}."
IMPORT_SOURCE_CSV = "Dòng tiêu đề số {row}."
IMPORT_IGNORED = "Bỏ qua các cột: {columns}."
IMPORT_PREVIEW = "Xem trước, chưa lưu gì — {team}, {rows} dòng có dữ liệu:"
IMPORT_RESULT = "Kết quả — {team}, {rows} dòng có dữ liệu:"
IMPORT_COUNT_CREATE = "➕ Thêm mới: {n} hộ"
IMPORT_COUNT_UPDATE = "✏️ Bổ sung thông tin: {n} hộ"
IMPORT_COUNT_UNCHANGED = "✔️ Đã có trong sổ, không đổi: {n} hộ"
IMPORT_COUNT_DUPLICATE = "⚠️ Nghi trùng, không thêm: {n} dòng"
IMPORT_COUNT_BAD = "❌ Dòng lỗi, bỏ qua: {n} dòng"
IMPORT_COUNT_CITIZEN_IDS = "🔒 {n} dòng có số CCCD: bot đã che đi, không lưu."
IMPORT_DETAILS = "Chi tiết:"
IMPORT_MORE = "… và {n} dòng khác."
IMPORT_ROW_BAD = "Dòng {row}: lỗi — {reason}"
IMPORT_ROW_CREATE = "Dòng {row}: thêm {household}"
IMPORT_ROW_UPDATE = "Dòng {row}: {household} — bổ sung {changes}"
IMPORT_ROW_DUPLICATE = "Dòng {row}: {household} — nghi trùng {other}"
IMPORT_ROW_NOTES = "Dòng {row}: {household} — {notes}"
IMPORT_LIKE_HOUSEHOLD = "hộ đã có {household}"
IMPORT_LIKE_ROW = "dòng {row} ({household})"
IMPORT_LIKE_PHONE = " (cùng số điện thoại)"
IMPORT_HOUSEHOLD = "{name} — {address}"
IMPORT_CHANGES = {
    "phone": "số điện thoại",
    "elderly": "người cao tuổi",
    "ethnic_minority": "dân tộc thiểu số",
    "no_device": "không có thiết bị",
    "assigned": "người phụ trách",
}
IMPORT_PROBLEMS = {
    "no_name": "thiếu họ tên chủ hộ",
    "no_address": "thiếu địa chỉ",
    "name_digits": "họ tên chủ hộ có chữ số (địa chỉ hoặc số điện thoại ghi nhầm cột?)",
    "name_invalid": "họ tên chủ hộ cần ít nhất 2 chữ cái",
    "name_too_long": "họ tên chủ hộ dài quá 120 ký tự",
}
IMPORT_NOTES = {
    "phone_unreadable": "không đọc được số điện thoại “{value}”, nhập hộ không kèm số",
    "phone_unusual": "số điện thoại {value} không thuộc đầu số thường gặp, vẫn nhập",
    "phone_differs": "số điện thoại khác số trong sổ, giữ số trong sổ",
    "citizen_id": "có số CCCD, đã che đi và không lưu",
    "flag_unreadable": "không hiểu giá trị ở cột “{value}”, coi như không",
    "member_unknown": "tổ không có tổ viên tên “{value}”, chưa giao người phụ trách",
    "member_ambiguous": "tổ có nhiều tổ viên tên “{value}”, chưa giao người phụ trách",
    "similar_created": "vẫn thêm dù giống {other}",
}

# command line and terminal
CLI_IMPORT_FILE_UNREADABLE = "Không mở được tệp {path}: {reason}"
CLI_IMPORT_DRY_RUN = "Chạy thử (--dry-run): chưa lưu gì vào cơ sở dữ liệu. Bỏ --dry-run để nhập."
CLI_IMPORT_SIMILAR_HINT = "Muốn thêm cả các hộ nghi trùng: chạy lại với --include-similar."
CONSOLE_FILE_NOT_FOUND = "Không mở được tệp {path}: {reason}. Gõ /tep ĐƯỜNG_DẪN, ví dụ /tep data/danh_sach_ho.xlsx"
FILE_ERRORS = {
    "FileNotFoundError": "không có tệp này",
    "IsADirectoryError": "đây là một thư mục, không phải tệp",
    "PermissionError": "không có quyền đọc tệp",
}

# --- periods ----------------------------------------------------------------------------------------------------
PERIOD_MONTH = "tháng {n}/{year}"
PERIOD_QUARTER = "quý {n}/{year}"
PERIOD_YEAR = "năm {year}"

# --- command menu entries of progress and reports -----------------------------------------------------
CMD_PROGRESS = "Tiến độ so với chỉ tiêu"
MENU_PROGRESS = "📊 Tiến độ"
CMD_CHART = "Biểu đồ tiến độ (ảnh)"
CMD_REPORT = "Báo cáo kỳ: xem, sửa, nộp (cán bộ xã: tình hình nộp)"
MENU_REPORT = "📋 Báo cáo"
CMD_EXPORT = "Xuất số liệu ra Excel: /xuat 2026-Q4"

# --- reports ----------------------------------------------------------------------------------------------------
FLOW_TITLE_REPORT = "làm báo cáo kỳ"
FLOW_TITLE_REPORT_BOARD = "xem tình hình nộp báo cáo"
REPORT_PARTS = {
    "good_practices": "Mô hình hay, cách làm sáng tạo",
    "difficulties": "Khó khăn, vướng mắc",
    "proposals": "Đề xuất, kiến nghị",
}
REPORT_USAGE = (
    "Cách dùng: /baocao, hoặc chọn kỳ: /baocao 2026-11 (tháng), /baocao 2026-Q4 (quý), /baocao 2026 (năm). "
    "Cán bộ xã thêm mã tổ để mở báo cáo của một tổ: /baocao T01 2026-Q4."
)
REPORT_NO_TEAM = "Bạn chưa là tổ trưởng của tổ CNSCĐ nào nên chưa có báo cáo để làm. Hãy nhờ cán bộ xã mời vào tổ."
REPORT_OTHER_TEAM = "Bạn chỉ xem và nộp được báo cáo của tổ mình."
REPORT_UNKNOWN_TEAM = "Không có tổ mã {code}. Các tổ: {codes}."
REPORT_NOT_STARTED = "Kỳ {period} chưa bắt đầu (bắt đầu từ {start}) nên chưa làm báo cáo được."
REPORT_NOT_ALLOWED = "Chỉ tổ trưởng làm và nộp báo cáo của tổ."
REPORT_CHOOSE = "Báo cáo của {team}. Chọn kỳ báo cáo:"
REPORT_OPT_DUE = "{period} — hạn trước {due}, còn {days} ngày"
REPORT_OPT_OVERDUE = "{period} — quá hạn {days} ngày"
REPORT_OPT_ON_TIME = "{period} — đã nộp đúng hạn {day}"
REPORT_OPT_LATE = "{period} — đã nộp, trễ {days} ngày"
REPORT_OPT_REOPENED = "{period} — được mở lại, cần nộp lại"
REPORT_OPT_DRAFT = " (có bản nháp)"
REPORT_TITLE = "📋 Báo cáo {period} — {team}"
REPORT_DUE_AHEAD = "Hạn nộp: trước {due}, còn {days} ngày."
REPORT_DUE_PASSED = "Hạn nộp: trước {due} — đã quá hạn {days} ngày."
REPORT_SUBMITTED_ON_TIME = "Đã nộp lúc {at} — đúng hạn (hạn trước {due})."
REPORT_SUBMITTED_LATE = "Đã nộp lúc {at} — trễ hạn {days} ngày (hạn trước {due})."
REPORT_RESUBMITTED_AT = "Nộp lại lúc {at}."
REPORT_REOPENED_AT = "Cán bộ xã đã mở lại lúc {at}: sửa xong thì nộp lại."
REPORT_NOT_SUBMITTED = "Chưa nộp."
REPORT_FIGURES_LIVE = "Số liệu từ các lượt đã ghi đến {today}:"
REPORT_FIGURES_SNAPSHOT = "Số liệu lúc nộp:"
REPORT_FIG_HOUSEHOLDS = (
    "• Hộ được hướng dẫn trong kỳ: {reached} (hộ mới {new}); luỹ kế {cumulative}/{registered} hộ trong sổ"
)
REPORT_FIG_LUOT = "• Lượt người dân được hướng dẫn: {luot}/{target} (chỉ tiêu kỳ), qua {visits} lần đến hộ"
REPORT_FIG_SKILLS = "• Nội dung đã hỗ trợ (số lần): {skills}"
REPORT_FIG_NO_SKILLS = "chưa có"
REPORT_FIG_PLATFORM = "• Hộ sử dụng nền tảng số: {n}/{registered} ({pct}; chỉ tiêu {target}%)"
REPORT_FIG_BDHVS = "• Hộ có người học Bình dân học vụ số: {n}/{registered} ({pct}; chỉ tiêu {target}%)"
REPORT_FIG_PRIORITY = (
    "• Hộ ưu tiên được hướng dẫn: người cao tuổi {elderly}, dân tộc thiểu số {ethnic_minority}, "
    "chưa có thiết bị số {no_device}"
)
REPORT_FIG_MEMBERS = "• Tổ viên có hoạt động trong kỳ: {active}/{total}"
REPORT_PCT_NONE = "chưa có hộ trong sổ"
REPORT_PART_LINE = "▪️ {label}: {text}"
REPORT_PART_EMPTY = "(chưa viết)"
REPORT_BTN_EDIT = "✏️ {label}"
REPORT_BTN_SUBMIT = "✅ Nộp báo cáo"
REPORT_BTN_RESUBMIT = "✅ Nộp lại báo cáo"
REPORT_BTN_LATER = "Để sau"
REPORT_BTN_CLOSE = "Đóng"
REPORT_BTN_BACK = "Quay lại"
REPORT_BTN_OTHER_PERIOD = "Chọn kỳ khác"
REPORT_PREVIEW_HINT = "Chọn phần cần viết, hoặc nộp báo cáo. “Để sau”: bản nháp được giữ lại."
REPORT_SUBMITTED_HINT = "Báo cáo đã nộp nên không sửa được nữa; cần sửa thì báo cán bộ xã mở lại."
REPORT_LATER = "Đã giữ bản nháp báo cáo {period}. Gõ /baocao để viết tiếp và nộp."
REPORT_CLOSED = "Đã đóng báo cáo. Gõ /baocao khi cần xem lại."
REPORT_EDIT_ASK = "Gõ nội dung “{label}” trong một tin nhắn (tối đa {limit} ký tự).\nHiện tại: {current}"
REPORT_BTN_CLEAR = "Xoá phần này"
REPORT_TEXT_TOO_LONG = "Nội dung dài {length} ký tự, quá {limit} ký tự. Hãy rút gọn rồi gửi lại."
REPORT_TEXT_EMPTY = "Hãy gõ nội dung, hoặc chọn “Quay lại”."
REPORT_TEXT_SAVED = "Đã lưu “{label}” vào bản nháp."
REPORT_TEXT_CLEARED = "Đã xoá “{label}” khỏi bản nháp."
REPORT_CONFIRM = (
    "Nộp báo cáo {period} của {team}?\n"
    "Sau khi nộp, các lượt từ {start} đến {end} được khoá: không thêm, sửa hay huỷ được nữa."
)
REPORT_CONFIRM_EMPTY = "Lưu ý: còn phần chưa viết: {parts}."
REPORT_CONFIRM_LATE = "Hôm nay đã quá hạn {days} ngày: báo cáo sẽ ghi là trễ hạn."
REPORT_CONFIRM_AGAIN = "Nộp lại giữ kết quả đúng hạn hay trễ hạn của lần nộp đầu."
REPORT_BTN_CONFIRM = "✅ Nộp"
REPORT_SUBMITTED = (
    "Đã nộp báo cáo {period} của {team} lúc {at} — {verdict}. Các lượt trong kỳ (từ {start} đến {end}) "
    "đã được khoá; cần sửa thì báo cán bộ xã mở lại."
)
REPORT_VERDICT_ON_TIME = "đúng hạn"
REPORT_VERDICT_LATE = "trễ hạn {days} ngày"
REPORT_ALREADY_SUBMITTED = "Báo cáo {period} của tổ đã nộp rồi; cần sửa thì báo cán bộ xã mở lại."
REPORT_BOARD_TITLE = "📋 Tình hình nộp báo cáo — hôm nay {today}"
REPORT_BOARD_PERIOD = (
    "{period} (hạn trước {due}): đã nộp {submitted}/{teams} — {on_time} đúng hạn, {late} trễ; "
    "quá hạn chưa nộp {missing}"
)
REPORT_BOARD_ORDER = "Thứ tự ký hiệu mỗi tổ: {kinds}."
REPORT_BOARD_LEGEND = "✅ đúng hạn · ⚠️ trễ hạn · ❌ chưa nộp (quá hạn) · ⏳ chưa đến hạn · 🔓 mở lại, chờ nộp lại"
REPORT_BOARD_TEAM = "{code} {name}: {marks}"
REPORT_BOARD_PICK = "Chọn một tổ để xem báo cáo:"
REPORT_KIND_NAMES = {"month": "tháng", "quarter": "quý", "year": "năm"}
REPORT_MARKS = {"on_time": "✅", "late": "⚠️", "missing": "❌", "not_due": "⏳", "reopened": "🔓"}
REPORT_MARK_ON_TIME = "✅ đúng hạn ({day})"
REPORT_MARK_LATE = "⚠️ trễ {days} ngày"
REPORT_MARK_MISSING = "❌ chưa nộp, quá hạn {days} ngày"
REPORT_MARK_NOT_DUE = "⏳ chưa đến hạn"
REPORT_MARK_REOPENED = "🔓 mở lại, chờ nộp lại"
REPORT_TEAM_PICK = "Báo cáo của {team}. Chọn kỳ:"
REPORT_BTN_REOPEN = "🔓 Mở lại báo cáo"
REPORT_DRAFT_NOTE = "Tổ đang soạn, chưa nộp."
REPORT_REOPEN_ASK = (
    "Mở lại báo cáo {period} của {team}?\nCác lượt trong kỳ sẽ sửa được; tổ trưởng được báo để sửa và nộp lại."
)
REPORT_BTN_REOPEN_YES = "🔓 Mở lại"
REPORT_REOPENED = "Đã mở lại báo cáo {period} của {team}."
REPORT_REOPEN_TOLD = "Đã báo cho {names}."
REPORT_REOPEN_NOBODY = "Tổ chưa có tổ trưởng dùng bot để báo: hãy báo trực tiếp."
REPORT_REOPEN_NOT_SUBMITTED = "Báo cáo {period} của {team} chưa nộp (hoặc đã được mở lại) nên không cần mở lại."
REPORT_LEADER_TOLD_REOPENED = (
    "Cán bộ xã {staff} đã mở lại báo cáo {period} của tổ. Các lượt trong kỳ sửa được rồi; "
    "sửa xong gõ /baocao {key} để nộp lại."
)

# --- progress ---------------------------------------------------------------------------------------------------
CONFIG_RANKING_KEY = "tiêu chí xếp hạng “{key}” không có; dùng: {known}."
CONFIG_RANKING_WEIGHT = "trọng số của tiêu chí “{key}” phải là số nguyên ≥ 0."
PROGRESS_USAGE = (
    "Không hiểu “{arg}”. Chọn kỳ như sau: /tiendo 2026-11 (tháng), /tiendo 2026-Q4 (quý), /tiendo 2026 (năm); "
    "gõ /tiendo để xem kỳ hiện tại."
)
PROGRESS_USAGE_STAFF = " Xem một tổ: /tiendo T01 hoặc /tiendo T01 2026-Q4."
PROGRESS_OTHER_TEAM = "Bạn chỉ xem được tiến độ của tổ mình. Gõ /tiendo để xem."
PROGRESS_NOT_STARTED = "Kỳ {period} chưa bắt đầu (từ {start}) nên chưa có số liệu."
PROGRESS_TITLE_MEMBER = "📊 Tiến độ của bạn — {period}"
PROGRESS_TITLE_TEAM = "📊 Tiến độ {period} — {team}"
PROGRESS_TITLE_COMMUNE = "📊 Tiến độ {period} — {commune}"
PROGRESS_SPAN = "📅 {start} – {end}"
PROGRESS_DUE_AHEAD = "⏰ Hạn báo cáo {period}: trước {due}, còn {days} ngày"
PROGRESS_DUE_MEMBER = "⏰ Tổ báo cáo {period} trước {due} (còn {days} ngày): nhớ ghi đủ các lượt trước hạn."
PROGRESS_MY_HOUSEHOLDS = "🏠 Hộ bạn phụ trách: {bar}"
PROGRESS_MY_HOUSEHOLDS_NONE = (
    "🏠 Hộ bạn phụ trách: 0/{target}, vì chưa hộ nào được giao cho bạn (tổ trưởng giao bằng /phancong; "
    "hộ bạn tự thêm khi ghi nhận là hộ của bạn)."
)
PROGRESS_MY_REACHED = "🚶 Trong kỳ: đến {households} hộ, {visits} lần"
PROGRESS_MY_LUOT = "👥 Lượt người dân: {luot}"
PROGRESS_MY_LAST = "🕘 Lần ghi gần nhất: {day}"
PROGRESS_NEVER = "chưa có"
PROGRESS_HOUSEHOLDS = "🏠 Hộ được hướng dẫn: {reached} (mới {new})"
PROGRESS_CUMULATIVE = "   Luỹ kế: {cumulative} hộ · sổ có {registered} hộ"
PROGRESS_LUOT = "👥 Lượt: {luot} ({visits} lần đến hộ)"
PROGRESS_BAR = "   {bar}"
PROGRESS_PLATFORM = "📱 Dùng nền tảng số: {n}/{registered} hộ ({pct}%)"
PROGRESS_BDHVS = "📚 Học vụ số: {n}/{registered} hộ ({pct}%)"
PROGRESS_NO_REGISTER = "   (chưa có hộ trong sổ)"
PROGRESS_PLATFORM_EMPTY = "📱 Dùng nền tảng số: chưa có hộ trong sổ"
PROGRESS_BDHVS_EMPTY = "📚 Học vụ số: chưa có hộ trong sổ"
PROGRESS_SKILLS = "🛠 Hỗ trợ nhiều nhất:"
PROGRESS_SKILL = "   • {label}: {n}"
PROGRESS_SKILLS_MORE = "   … và {n} nội dung khác"
PROGRESS_SKILLS_NONE = "🛠 Hỗ trợ: chưa có lượt nào"
PROGRESS_PRIORITY = "⭐ Hộ ưu tiên: cao tuổi {elderly} · DTTS {ethnic_minority} · chưa có thiết bị {no_device}"
PROGRESS_ACTIVE = "🙋 Tổ viên hoạt động: {active}/{total}"
PROGRESS_MEMBERS = "👤 Tổ viên: hộ phụ trách · lượt · lần cuối"
PROGRESS_MEMBER = "• {name}: {assigned}/{target} hộ · {luot} lượt · {last}"
PROGRESS_NO_MEMBERS = "👤 Tổ chưa có tổ viên."
PROGRESS_TEAMS = "Các tổ: lượt/chỉ tiêu · hộ (mới) · nền tảng số"
PROGRESS_TEAM_NAME = "{code} {name}"
PROGRESS_TEAM_LINE = "   {luot}/{target} lượt · {reached} hộ (mới {new}) · 📱{pct}"
PROGRESS_TOTALS = "🏛 Toàn xã, {teams} tổ (mỗi hộ tính một lần):"
PROGRESS_RANKING = "🏆 Xếp hạng thi đua {period}:"
PROGRESS_RANKING_WEIGHTS = "Điểm 0–100, so với tổ cao nhất mỗi tiêu chí:\n{criteria}"
PROGRESS_RANKING_CRITERION = "{label} {pct}%"
PROGRESS_RANK_ROW = "{n}. {code} {name} — {score} điểm"
PROGRESS_RANKING_OFF = "🏆 Chưa đặt tiêu chí xếp hạng (reporting.ranking trong config.yaml)."
PROGRESS_CRITERIA = {
    "luot": "lượt",
    "households": "hộ",
    "coverage": "độ phủ",
    "participation": "tham gia",
}
PROGRESS_NEEDS_TEAM = "Bạn chưa thuộc tổ CNSCĐ nào nên chưa có tiến độ để xem. Hãy nhờ cán bộ xã mời vào tổ."

# --- exports and chart ------------------------------------------------------------------------------------------
PERIOD_BAD_KEY = (
    "Không hiểu kỳ “{key}”. Gõ kỳ theo mẫu 2026-11 (tháng), 2026-Q4 (quý) hoặc 2026 (năm), ví dụ: /{command} {example}"
)
EXPORT_NEEDS_TEAM = "Bạn chưa thuộc tổ CNSCĐ nào nên chưa có số liệu của tổ. Hãy nhờ cán bộ xã mời vào tổ."
SCOPE_COMMUNE = "toàn xã"

# /bieudo: the chart and its caption
CHART_TITLE = "{name} — {period}"
CHART_SUBTITLE = "Số liệu từ {start} đến {end}"
CHART_REACHED = "Hộ được hướng dẫn trong kỳ"
CHART_REACHED_VALUE = "{value}/{total} hộ trong sổ ({pct}%)"
CHART_LUOT = "Lượt người được hướng dẫn"
CHART_LUOT_VALUE = "{value}/{target} lượt chỉ tiêu ({pct}%)"
CHART_NO_TARGET_VALUE = "{value} (chưa đặt chỉ tiêu)"
CHART_PLATFORM = "Hộ dùng ít nhất 1 nền tảng số"
CHART_BDHVS = "Hộ học Bình dân học vụ số"
CHART_COVERAGE_VALUE = "{pct}% ({value}/{total} hộ) · chỉ tiêu {target}%"
CHART_COMMUNE_LUOT = "Lượt người được hướng dẫn · chỉ tiêu {target} lượt/tổ"
CHART_COMMUNE_COVERAGE = "Tỷ lệ hộ dùng ít nhất 1 nền tảng số · chỉ tiêu {target}%"
CHART_TEAM_LUOT = "{value}/{target}"
CHART_TEAM_COVERAGE = "{pct}%"
CHART_LEGEND = "Xanh lá: đạt chỉ tiêu · Cam: chưa đạt · Vạch đen: mức chỉ tiêu"
CHART_CAPTION_TEAM = "📊 Tiến độ {team}, {period}."
CHART_CAPTION_COMMUNE = (
    "📊 Tiến độ các tổ, {period}: lượt người so với chỉ tiêu. Tỷ lệ hộ dùng nền tảng số: /bieudo {key} nentang"
)
CHART_CAPTION_COVERAGE = "📊 Tỷ lệ hộ dùng nền tảng số của các tổ, {period}."

# /xuat and `sotay export`: the workbook
SHEET_SUMMARY = "Tổng hợp"
SHEET_HOUSEHOLDS = "Hộ"
SHEET_VISITS = "Lượt"
SHEET_MEMBERS = "Thành viên"
SHEET_CONTINUED = "{title} ({n})"
SUMMARY_HEADERS = (
    "Kỳ",
    "Mã tổ",
    "Tên tổ",
    "Thành viên",
    "Thành viên có hoạt động",
    "Hộ trong sổ",
    "Hộ được hướng dẫn trong kỳ",
    "Hộ lần đầu được hướng dẫn",
    "Hộ được hướng dẫn (lũy kế)",
    "Số lần đến hộ",
    "Lượt người được hướng dẫn",
    "Chỉ tiêu lượt",
    "Đạt chỉ tiêu lượt (%)",
    "Hộ dùng ít nhất 1 nền tảng số",
    "Tỷ lệ hộ dùng nền tảng số (%)",
    "Hộ học Bình dân học vụ số",
    "Tỷ lệ hộ học Bình dân học vụ số (%)",
    "Hộ có người cao tuổi được hướng dẫn",
    "Hộ dân tộc thiểu số được hướng dẫn",
    "Hộ chưa có thiết bị được hướng dẫn",
)
SUMMARY_SKILL_HEADER = "Nội dung: {skill}"
SUMMARY_SCORE_HEADER = "Điểm thi đua"
SUMMARY_TOTAL = "Toàn xã"
HOUSEHOLD_HEADERS = (
    "Mã hộ",
    "Tổ",
    "Họ tên chủ hộ",
    "Địa chỉ",
    "Số điện thoại",
    "Người cao tuổi",
    "Dân tộc thiểu số",
    "Không có thiết bị",
    "Người phụ trách",
    "Ngày đồng ý",
)
VISIT_HEADERS = (
    "Mã lượt",
    "Ngày",
    "Tổ",
    "Mã hộ",
    "Chủ hộ",
    "Tổ viên",
    "Nội dung hướng dẫn",
    "Số người",
    "Kết quả",
    "Có ghi chú",
)
MEMBER_HEADERS = (
    "Họ tên",
    "Tổ",
    "Vai trò",
    "Hộ phụ trách",
    "Mục tiêu hộ",
    "Hộ được hướng dẫn trong kỳ",
    "Số lần đến hộ",
    "Lượt người được hướng dẫn",
    "Ngày hoạt động gần nhất",
)
CELL_YES = "x"
NOTE_PRESENT = "có"
EXPORT_FILE = "so-tay-{period}-{scope}.xlsx"
EXPORT_FILE_COMMUNE = "toan-xa"
EXPORT_CAPTION = "📎 Số liệu {scope}, {period}: {households} hộ, {visits} lần đến hộ. Mở bằng Excel hoặc Google Sheets."
EXPORT_TOO_BIG = (
    "Kỳ {period} có {visits} lần đến hộ: tệp quá lớn để gửi qua tin nhắn (tối đa {limit}). "
    "Nhờ quản trị viên chạy lệnh này trên máy chủ của bot:\n{command}"
)

# the commune's results report draft (the style of a commune's report, section II.5)
REPORT_DRAFT_FILE = "bao-cao-{period}.docx"
REPORT_DRAFT_CAPTION = "📝 Dự thảo báo cáo kết quả của xã, {period}, bản Word để chỉnh sửa và bổ sung."
REPORT_DRAFT_TITLE = "BÁO CÁO"
REPORT_DRAFT_SUBTITLE = (
    "Kết quả hoạt động của Tổ công nghệ số cộng đồng thực hiện Phong trào “Bình dân học vụ số” "
    "trên địa bàn {commune}, {period}"
)
REPORT_DRAFT_NOTE = "(Dự thảo do Sổ tay số lập từ số liệu các tổ đã ghi nhận, từ ngày {start} đến ngày {end}.)"
REPORT_DRAFT_HEADING = "Kết quả hoạt động của Tổ công nghệ số cộng đồng thực hiện Phong trào “Bình dân học vụ số”"
REPORT_DRAFT_TEAMS = (
    "{commune} hiện có {teams} Tổ công nghệ số cộng đồng tại các thôn, tổ dân phố. Hiện nay, toàn xã có: "
    "{members} thành viên Tổ công nghệ số cộng đồng; trong {period} có {active} thành viên trực tiếp "
    "hướng dẫn người dân."
)
REPORT_DRAFT_RESULTS = (
    "Trong {period}, các Tổ công nghệ số cộng đồng đã trực tiếp hướng dẫn {luot} lượt người dân tại {households} hộ "
    "({visits} lần đến hộ), trong đó {new} hộ lần đầu được hướng dẫn; đạt {pct}% chỉ tiêu {target} lượt. "
    "Lũy kế đến ngày {end}, {cumulative} hộ đã được các tổ hướng dẫn."
)
REPORT_DRAFT_RESULTS_NO_TARGET = (
    "Trong {period}, các Tổ công nghệ số cộng đồng đã trực tiếp hướng dẫn {luot} lượt người dân tại {households} hộ "
    "({visits} lần đến hộ), trong đó {new} hộ lần đầu được hướng dẫn. "
    "Lũy kế đến ngày {end}, {cumulative} hộ đã được các tổ hướng dẫn."
)
REPORT_DRAFT_SKILLS = "Các nội dung đã hướng dẫn: {items}."
REPORT_DRAFT_SKILL_ITEM = "{skill} ({n} lần)"
REPORT_DRAFT_SKILLS_NONE = "Trong kỳ chưa ghi nhận nội dung hướng dẫn nào."
REPORT_DRAFT_COVERAGE = (
    "Tính đến ngày {end}, {platform_pct}% số hộ trong sổ theo dõi của các tổ ({platform}/{registered} hộ) đã được "
    "hướng dẫn hoặc đang sử dụng ít nhất một nền tảng số thiết yếu (chỉ tiêu {platform_target}%); {bdhvs_pct}% số hộ "
    "({bdhvs} hộ) có thành viên được hướng dẫn học tập trên nền tảng Bình dân học vụ số (chỉ tiêu {bdhvs_target}%)."
)
REPORT_DRAFT_PRIORITY = (
    "Các tổ quan tâm hỗ trợ các đối tượng ưu tiên: trong kỳ đã hướng dẫn {elderly} hộ có người cao tuổi, "
    "{ethnic_minority} hộ đồng bào dân tộc thiểu số và {no_device} hộ chưa có thiết bị số."
)
REPORT_DRAFT_TEAMS_HEADING = "Kết quả của từng tổ:"
REPORT_DRAFT_TEAM_LINE = (
    "- {team}: {luot} lượt người ({pct}% chỉ tiêu {target} lượt), {households} hộ được hướng dẫn, "
    "{coverage}% số hộ dùng nền tảng số."
)
REPORT_DRAFT_TEAM_LINE_NO_TARGET = (
    "- {team}: {luot} lượt người, {households} hộ được hướng dẫn, {coverage}% số hộ dùng nền tảng số."
)
REPORT_DRAFT_RANKING = "Các tổ dẫn đầu thi đua trong kỳ: {items}."
REPORT_DRAFT_RANK_ITEM = "{team} ({score} điểm)"
# what only people know: the teams' own words from their submitted reports, or a place for staff to write
REPORT_DRAFT_PARTS = {
    "good_practices": "Mô hình hay, cách làm sáng tạo",
    "difficulties": "Khó khăn, vướng mắc",
    "proposals": "Kiến nghị, đề xuất",
}
REPORT_DRAFT_PART_EMPTY = "{label}: (bổ sung)"
REPORT_DRAFT_PART_HEADING = "{label} (theo báo cáo của các tổ):"
REPORT_DRAFT_PART_ITEM = "- {team}: {text}"

# `sotay export`
CLI_EXPORT_BAD_PERIOD = "Không hiểu kỳ “{key}”. Dùng 2026-11 (tháng), 2026-Q4 (quý) hoặc 2026 (năm)."
CLI_EXPORT_REPORT_TEAM = "Dự thảo báo cáo là của cả xã: bỏ --team khi dùng --report."
CLI_EXPORT_REPORT_CSV = "--report ghi tệp Word (.docx), không dùng cùng --csv."
CLI_EXPORT_WRITTEN = "Đã ghi {path}"
CLI_EXPORT_ROWS = "  {sheet}: {rows} dòng"
CLI_EXPORT_REPORT_WRITTEN = "Đã ghi dự thảo báo cáo {period}: {path}"
EXPORT_OWN_TEAM_ONLY = "Bạn chỉ xem được số liệu của tổ mình ({team})."
CLI_EXPORT_NO_FOLDER = "Không có thư mục {path} để ghi tệp: hãy tạo thư mục, hoặc chọn --out ở nơi khác."

# --- quiet hours, broadcasts -------------------------------------------------------------------------
CONFIG_QUIET_HOURS = 'giờ phải viết trong ngoặc kép, ví dụ start: "21:00"'
CMD_BROADCAST = "Gửi thông báo tới các tổ (xem ai đã nhận)"
CMD_ACK = "Báo đã nhận thông báo"

# --- reports: reopening while another report still locks days -------------------------------------
REPORT_STILL_LOCKED = (
    "Lưu ý: {parts} vẫn khoá vì báo cáo đó đã nộp. Muốn sửa lượt trong những ngày ấy thì mở lại cả báo cáo đó."
)
REPORT_STILL_LOCKED_PART = "các ngày {start}–{end} thuộc {period}"

# --- reminders ---
# Default message templates; config.yaml `reminders.texts` may replace any of them, with the same placeholders.
REMINDER_LEADER_DUE = (
    "⏰ Chào {name}, báo cáo {period} của {team} cần nộp trước ngày {due} (còn {days_left} ngày). "
    "Gõ /baocao để xem số liệu và nộp."
)
REMINDER_LEADER_OVERDUE = (
    "⚠️ Chào {name}, báo cáo {period} của {team} đã quá hạn {days_late} ngày (hạn: trước ngày {due}). "
    "Gõ /baocao để nộp ngay."
)
REMINDER_STAFF_OVERDUE = (
    "📋 Báo cáo {period} (hạn trước ngày {due}): còn {count} tổ chưa nộp: {teams}. Gõ /baocao để xem chi tiết."
)
REMINDER_MEMBER_INACTIVE = (
    "👋 Chào {name}, đã {days} ngày bạn chưa ghi nhận lượt hỗ trợ nào. Báo cáo {period} của tổ chốt trước ngày "
    "{due}: gõ /ghinhan để ghi những hộ bạn đã hướng dẫn."
)
REMINDER_MEMBER_RETURNS = (
    "🔁 Chào {name}, bạn có {count} hộ đang chờ quay lại hỗ trợ (hộ chờ lâu nhất từ ngày {oldest}). "
    "Gõ /canquaylai để xem danh sách."
)
REMINDER_WEEKLY = "📊 Tổng kết tuần {week} — {team}\n{members}\n{inactive}\n{due}"
# to a whole team (its members privately, or its group chat): team-level figures only, no one's name
REMINDER_TEAM_DUE = (
    "⏰ {team}: báo cáo {period} chốt trước ngày {due} (còn {days_left} ngày). "
    "Ai còn lượt hỗ trợ chưa ghi thì nhắn riêng cho bot: /ghinhan."
)
REMINDER_WEEKLY_GROUP = (
    "📊 Tổng kết tuần {week} — {team}\nCả tổ: {luot} lượt người, {households} hộ; "
    "{active}/{members} thành viên có ghi nhận.\n{due}"
)
# the parts of the weekly summary that fill {week}, {members}, {inactive} and {due}
WEEKLY_WEEK = "{start}–{end}"
WEEKLY_MEMBER_LINE = "• {name}: {luot} lượt người, {households} hộ"
WEEKLY_NO_MEMBERS = "• Tổ chưa có thành viên nào."
WEEKLY_INACTIVE = "Chưa ghi nhận lượt nào trong tuần: {names}."
WEEKLY_ALL_ACTIVE = "Cả tổ đều có ghi nhận trong tuần. 👏"
WEEKLY_DUE_HEADING = "Báo cáo sắp đến hạn:"
WEEKLY_DUE_AHEAD = "• {period}: trước ngày {due} (còn {days} ngày)"
WEEKLY_DUE_LATE = "• {period}: đã quá hạn {days} ngày (hạn trước ngày {due})"
WEEKLY_DUE_REOPENED = "• {period}: được mở lại, chờ nộp lại"
WEEKLY_DUE_NONE = "Không có báo cáo nào đang chờ nộp."
CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "console": "dòng lệnh"}  # the apps, as people call them
CONFIG_REMINDER_TIME = 'giờ phải viết trong ngoặc kép, ví dụ at: "08:00"'
CONFIG_REMINDER_DAYS = "mỗi số ngày chỉ ghi một lần."
CONFIG_TEMPLATE_FIELD = "mẫu tin có chỗ điền “{{{field}}}” không dùng được ở đây; dùng: {known}."
CONFIG_TEMPLATE_BROKEN = "mẫu tin sai cú pháp: mỗi chỗ điền viết trong cặp ngoặc nhọn, ví dụ {{name}}."
# the terminal demo prints what the bot would send, and `sotay reminders preview`
OUTBOX_CONSOLE_SENT = "📨 Gửi tới {name} ({channel}): {text}"
OUTBOX_CONSOLE_PHOTO = "[hình ảnh] {text}"
CLI_REMINDERS_HEADER = "Lúc {at} sẽ gửi {count} tin nhắc việc:"
CLI_REMINDERS_HEADER_DAY = "Trong ngày {day} sẽ gửi {count} tin nhắc việc:"
CLI_REMINDERS_NONE = "Lúc {at} không có tin nhắc việc nào."
CLI_REMINDERS_NONE_DAY = "Trong ngày {day} không có tin nhắc việc nào."
CLI_REMINDERS_HELD = "   (giữ lại, gửi lúc {at} khi hết giờ yên lặng)"
CLI_REMINDERS_QUEUED = "   (đã có trong hàng đợi: không gửi lại)"
CLI_REMINDERS_NO_CHANNEL = "   (người này chưa liên kết Zalo hay Telegram: không gửi được)"
CLI_REMINDERS_BAD_AT = (
    "Không hiểu thời điểm “{value}”. Dùng dạng 2026-12-18T08:00 (giờ địa phương) hoặc 2026-12-18 (cả ngày)."
)
CLI_REMINDERS_DISABLED = "Lưu ý: nhắc việc đang tắt (reminders.enabled: false); trên đây là những gì sẽ gửi nếu bật."

# --- terminal demo: files the bot sends ------------------------------------------------------------
CONSOLE_FILE_SAVED = "💾 Đã lưu tệp: {path}"
CONSOLE_FILE_NOT_SAVED = "Không lưu được tệp {name}: {reason}"

# --- broadcasts ---
FLOW_TITLE_BROADCAST = "soạn thông báo"
FLOW_TITLE_GROUP_LINK = "liên kết nhóm chat của tổ"
# what recipients get; {sender} is BROADCAST_FROM_STAFF or BROADCAST_FROM_LEADER
BROADCAST_MESSAGE = "📢 Thông báo của {sender}:\n{text}"
BROADCAST_FROM_STAFF = "{name}, cán bộ {commune}"
BROADCAST_FROM_LEADER = "{name}, tổ trưởng {team}"
BROADCAST_REPLY_WORD = "Trả lời “đã nhận” để báo bạn đã đọc."
BROADCAST_ACK_BUTTON = "✅ Đã nhận"
# composing
BROADCAST_NO_TEAM = "Bạn chưa thuộc tổ nào nên chưa gửi được thông báo. Hãy nhờ cán bộ xã kiểm tra."
BROADCAST_ASK_AUDIENCE = "📢 Gửi thông báo tới ai?"
BROADCAST_BTN_COMMUNE = "🏘️ Cả xã (mọi tổ viên và tổ trưởng)"
BROADCAST_BTN_LEADERS = "👤 Chỉ các tổ trưởng"
BROADCAST_BTN_TEAM = "🏠 Một tổ"
BROADCAST_BTN_HISTORY = "📋 Xem thông báo đã gửi"
BROADCAST_ASK_TEAM = "Gửi tới tổ nào?"
BROADCAST_PICK_TEAM = "Hãy chọn một tổ trong danh sách (gõ số thứ tự hoặc mã tổ, ví dụ T01)."
BROADCAST_BTN_BACK = "↩️ Quay lại"
BROADCAST_TO_COMMUNE = "cả xã"
BROADCAST_TO_LEADERS = "các tổ trưởng"
BROADCAST_NO_TEAM_NAME = "chưa thuộc tổ"
BROADCAST_ASK_TEXT = "✍️ Gõ nội dung thông báo gửi tới {to} (tối đa {limit} ký tự)."
BROADCAST_ASK_TEXT_AGAIN = "Nội dung mới sẽ thay nội dung cũ."
BROADCAST_BTN_KEEP = "↩️ Giữ nội dung cũ"
BROADCAST_BTN_RETARGET = "👥 Đổi người nhận"
BROADCAST_TEXT_EMPTY = "Thông báo chưa có nội dung. Hãy gõ nội dung cần gửi."
BROADCAST_TEXT_TOO_LONG = "Nội dung dài {length} ký tự, quá {limit}. Hãy rút gọn rồi gửi lại."
# preview
BROADCAST_PREVIEW_TITLE = "📢 Xem trước thông báo"
BROADCAST_PREVIEW_TO = "Gửi tới: {to} — {n} người nhận."
BROADCAST_QUOTA_BUDGET = "💬 Qua {channel}: {n} tin; tháng này còn {left} tin cho thông báo và nhắc việc."
BROADCAST_QUOTA_OVER = "⚠️ {over} tin {channel} vượt phần còn lại của tháng: sẽ chờ tới {at} mới gửi."
BROADCAST_UNREACHABLE = "⚠️ {n} người chưa liên kết Telegram hay Zalo nên sẽ không nhận được: {names}."
BROADCAST_AND_MORE = " và {n} người khác"
BROADCAST_NOBODY = "Không có ai nhận được thông báo này (chưa có thành viên nào liên kết Telegram hay Zalo)."
BROADCAST_GOES_NOW = "Gửi ngay khi bạn bấm ✅ Gửi."
BROADCAST_GOES_LATER = "🌙 Đang trong giờ yên lặng ({start}–{end}): thông báo sẽ được giữ lại và gửi lúc {at}."
BROADCAST_PREVIEW_ACK = "Người nhận báo đã đọc bằng nút “✅ Đã nhận” (Telegram) hoặc trả lời “đã nhận” (Zalo)."
BROADCAST_PREVIEW_CHOOSE = "Hãy chọn ✅ Gửi, ✏️ Sửa hoặc ❌ Huỷ (gõ số thứ tự cũng được)."
BROADCAST_BTN_SEND = "✅ Gửi"
BROADCAST_BTN_EDIT = "✏️ Sửa"
BROADCAST_BTN_CANCEL = "❌ Huỷ"
BROADCAST_CANCELLED = "Đã huỷ, thông báo chưa được gửi."
BROADCAST_SENT = "✅ Đã gửi thông báo tới {to}: {n} người nhận ({messages} tin nhắn)."
BROADCAST_SENT_HELD = "🌙 Đang giờ yên lặng nên tin sẽ đi lúc {at}."
BROADCAST_SENT_HINT = "Gõ /thongbao → 📋 Xem thông báo đã gửi để xem ai đã nhận."
# what was sent, and who has read it
BROADCAST_HISTORY_EMPTY = "Chưa có thông báo nào đã gửi."
BROADCAST_HISTORY_ALL = "📋 Thông báo gần đây của xã. Chọn một thông báo để xem ai đã nhận:"
BROADCAST_HISTORY_OWN = "📋 Thông báo bạn đã gửi gần đây. Chọn một thông báo để xem ai đã nhận:"
BROADCAST_HISTORY_ITEM = "{at} · {to} · “{text}” · ✅ {acknowledged}/{n}"
BROADCAST_BTN_CLOSE = "✖️ Đóng"
BROADCAST_BTN_REFRESH = "🔄 Cập nhật"
BROADCAST_BTN_OTHER = "📋 Thông báo khác"
BROADCAST_CLOSED = "Đã đóng. Gõ /thongbao khi cần gửi hoặc xem thông báo."
BROADCAST_STATUS_TITLE = "📋 Thông báo lúc {at} của {sender} tới {to}"
BROADCAST_STATUS_TEXT = "“{text}”"
BROADCAST_STATUS_COUNTS = "{n} người nhận: {parts}"
BROADCAST_STATUS_COUNT_PARTS = {
    "acknowledged": "✅ {n} đã nhận",
    "delivered": "📬 {n} đã gửi, chưa xác nhận",
    "pending": "⏳ {n} chưa gửi",
    "failed": "⚠️ {n} không gửi được",
}
BROADCAST_STATUS_HELD = "🌙 Đang giữ lại vì giờ yên lặng, sẽ gửi lúc {at}."
BROADCAST_STATE_HEADINGS = {
    "acknowledged": "✅ Đã nhận ({n}):",
    "delivered": "📬 Đã gửi, chưa xác nhận ({n}):",
    "pending": "⏳ Chưa gửi ({n}):",
    "failed": "⚠️ Không gửi được ({n}) — người này đã chặn bot hoặc không liên lạc được:",
}
BROADCAST_STATUS_TEAM = "• {team}: {names}"
BROADCAST_STATUS_NAMES = "• {names}"
# acknowledging
BROADCAST_ACK_DONE = "✅ Đã ghi nhận: bạn đã nhận thông báo của {sender}. Cảm ơn bạn!"
BROADCAST_ACK_MORE = "Bạn còn {n} thông báo khác chưa báo đã nhận; gõ “đã nhận” lần nữa cho thông báo trước đó."
BROADCAST_ACK_ALREADY = "Bạn đã báo nhận thông báo của {sender} lúc {at} rồi."
BROADCAST_ACK_NOTHING = "Không có thông báo nào đang chờ bạn báo đã nhận."
# sotay outbox status
CLI_OUTBOX_TITLE = "Hàng đợi tin nhắn lúc {at} (không hiện nội dung tin):"
CLI_OUTBOX_CHANNEL = "{channel}:"
CLI_OUTBOX_PENDING = "  Chờ gửi: {due} đến lượt · {held} giữ lại{until}"
CLI_OUTBOX_HELD_UNTIL = " (sớm nhất gửi lúc {at})"
CLI_OUTBOX_SENT = "  Đã gửi: {today} hôm nay · {month} tháng này"
CLI_OUTBOX_FAILED = "  Không gửi được: {failed} lỗi · {blocked} bị chặn"
CLI_OUTBOX_ERRORS = "  Lỗi gần đây:"
CLI_OUTBOX_ERROR = "    {at} · chat {chat} · {status}: {error}"
CLI_OUTBOX_STATES = {"pending": "đang thử lại", "failed": "lỗi", "blocked": "bị chặn"}
CLI_OUTBOX_QUOTA = "  Hạn mức {channel} tháng {month}: đã dùng {used}/{limit} ({share})"
CLI_OUTBOX_QUOTA_USED_UP = "  Đã hết hạn mức tháng này: tin được giữ lại và gửi khi sang tháng."
CLI_OUTBOX_RESERVE = "  Giữ {reserve} tin để trả lời tổ viên: nhắc việc, thông báo chỉ gửi trong {limit} tin đầu"
CLI_OUTBOX_RESERVE_REACHED = "  Nhắc việc và thông báo đã dùng hết phần của tháng: chờ sang tháng; vẫn trả lời tổ viên."

# --- the team's group chat (/nhom) ---
CMD_GROUP = "Liên kết nhóm chat của tổ: gõ /nhom trong nhóm (tổ trưởng)"
# words after /nhom that unlink the group ("/nhom huy")
GROUP_OFF_WORDS = ("huỷ", "hủy", "bỏ", "gỡ", "tắt", "ngắt", "xoá", "thôi", "off", "stop")
GROUP_LEADER_ONLY = "Chỉ tổ trưởng mới liên kết hoặc gỡ nhóm chat của tổ với bot."
GROUP_ASKED_LEADER = "📩 Bot đã nhắn riêng cho {name} để xác nhận liên kết nhóm này với tổ."
GROUP_LINK_ASK = (
    "Liên kết nhóm chat bạn vừa gõ /nhom với {team}?\n"
    "Bot sẽ gửi vào nhóm các tin chung của tổ (số liệu cả tổ, hạn báo cáo, thông báo của tổ trưởng); "
    "không bao giờ có tên hay số điện thoại của hộ dân."
)
GROUP_LINK_BTN_YES = "✅ Liên kết"
GROUP_LINK_BTN_NO = "❌ Không"
GROUP_LINK_CHOOSE = "Hãy chọn ✅ Liên kết hoặc ❌ Không (gõ “có” hay “không” cũng được)."
GROUP_LINK_REFUSED = "Đã bỏ qua: nhóm chưa được liên kết."
GROUP_LINKED = "✅ Đã liên kết nhóm chat với {team}.\n{kinds}\nGõ /nhom huy trong nhóm để gỡ."
GROUP_LINKED_NOTICE = (
    "✅ Nhóm này đã được liên kết với {team}. Bot sẽ gửi vào đây các tin chung của tổ. "
    "Việc riêng (ghi nhận lượt, xem hộ…) xin nhắn riêng cho bot."
)
GROUP_KIND_WEEKLY = "Tổng kết tuần"
GROUP_KIND_REMINDERS = "Nhắc hạn báo cáo cho cả tổ"
GROUP_KIND_BROADCASTS = "Thông báo của tổ trưởng"
GROUP_KIND_LINE = "• {kind}: {where}"
GROUP_DELIVERY = {"each": "gửi riêng từng người", "group": "gửi vào nhóm", "both": "gửi vào nhóm và riêng từng người"}
GROUP_ALREADY_LINKED = "Nhóm này đã được liên kết với {team} rồi."
GROUP_UNLINKED = "Đã gỡ nhóm chat khỏi {team}: từ nay tin của tổ gửi riêng từng người."
GROUP_NOT_LINKED_HERE = "Nhóm này chưa được liên kết với {team}."
GROUP_NONE = "{team} chưa liên kết nhóm chat nào."
GROUP_HOW_TO = "Để liên kết: thêm bot vào nhóm chat của tổ, rồi gõ /nhom trong nhóm và xác nhận ở tin nhắn riêng."
GROUP_HOW_TO_OFF = "Gõ /nhom huy (trong nhóm hoặc ở đây) để gỡ."
GROUP_STATUS = "👥 {team} đã liên kết nhóm chat ({channel}) từ {since}."
GROUP_STATUS_ALL = "👥 Nhóm chat của các tổ:"
GROUP_STATUS_TEAM = "• {team}: {where}"
GROUP_STATUS_NONE = "chưa liên kết"
GROUP_WRITE_PRIVATELY = "Lệnh /{command} chỉ dùng khi nhắn riêng với bot: hãy mở chat riêng với bot rồi gõ lại nhé."
GROUP_BUTTON = "Nút này không dùng trong nhóm: hãy nhắn riêng cho bot."
GROUP_RECIPIENT = "Nhóm chat {team}"  # a group as a recipient in `sotay reminders preview`
# a leader's notice to the team's group chat (group_chat.broadcasts)
BROADCAST_PREVIEW_GROUP = (
    "👥 Gửi vào nhóm chat của tổ: 1 tin, không có nút “✅ Đã nhận” (trong nhóm không biết ai đã đọc)."
)
BROADCAST_SENT_GROUP = "👥 Đã gửi vào nhóm chat của tổ (không có nút “Đã nhận”)."
BROADCAST_HISTORY_ITEM_GROUP = "{at} · {to} · “{text}” · 👥 nhóm chat"
BROADCAST_STATUS_GROUP = "👥 Nhóm chat của tổ: {state} (tin trong nhóm không có nút “Đã nhận”)."
BROADCAST_GROUP_STATES = {
    "delivered": "đã gửi",
    "pending": "chưa gửi",
    "failed": "không gửi được (bot không còn trong nhóm?)",
    "acknowledged": "đã gửi",
}
