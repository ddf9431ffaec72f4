"""User-facing text (Simplified Chinese). Kept in one place so wording is reviewed together."""

HELP = """<b>代表履职助手</b> 使用说明

<b>提问</b>
直接发送文字问题，例如“代表建议交办会在几月开”“宁夏8月有哪些工作”。
回答附带编号的出处《文件名》条款，可点“原文”查看全文段落。
点“更多结果”看其他相关资料，点“有用/没用”帮助我们改进。

<b>语音提问</b>
按住话筒说出问题（60 秒以内），也可发送音频文件。
助手先显示“您问的是：……”，再给出回答。
听不准时会列出几种可能，点选正确的一项即可。

<b>工作安排</b>
发送 /schedule 查看本月和下月的工作安排。
也可以直接问“下个月有什么安排”。
安排来自年度代表工作计划、工作安排表和工作人员登记的活动，每条注明出处。

<b>建议和议案</b>
发送 /suggest 或“提建议”，分步起草建议或议案，每步有提示和示例，也可以用语音口述；已写好的全文可一次粘贴进来。
写完后预览、修改任一部分、点“自检”查看问题和修改建议，然后提交。
/drafts 接着写保存的草稿，/cancel 放弃当前草稿，/mysuggestions 查看办理状态和答复期限。

<b>通知和征求意见</b>
收到通知后点“已阅”确认。收到法律草案征求意见时，按章节、条文浏览草案，
点“对本条提意见”或“对草案整体提意见”，用文字或语音发送意见；截止前会提醒。"""

HELP_STAFF = """

<b>工作人员功能</b>
发送 PDF、DOCX、MD、TXT 文件即可入库，说明栏填写范围：全部、工作人员、代表团:名称 或 委员会:名称。
/scope 范围 —— 设置之后上传文件的默认范围；/uploads —— 已上传的文件；/delupload 代码 —— 删除上传的文件。
/invite 角色 姓名 [代表团] [专门委员会…] —— 生成一次性邀请码，角色写 代表、工作人员 或 管理员（如 /invite 代表 张三 宁夏代表团；只有管理员可以邀请管理员）。
/invites —— 未使用的邀请码；/revoke 编号 —— 作废邀请码。
/users —— 查看用户；/suspend 编号 —— 停用；/reactivate 编号 —— 恢复；/setrole 编号 角色 —— 改角色（代表、工作人员 或 管理员）。
/addevent 日期 [时:分] [范围] 活动名称 —— 登记活动（如 /addevent 2026-12-05 14:30 代表团:宁夏代表团 代表座谈会），显示在 /schedule 中并提前提醒。
/pending —— 待交办的建议；/assign 编号 —— 查看推荐的承办单位并交办（改派：/assign 编号 单位1、单位2 [6个月]）。
/progress 编号 —— 记为办理中；/reply 编号 答复内容 —— 录入答复；/rehandle 编号 —— 不满意后重新办理。
/overdue —— 逾期和即将到期的建议；/merge 主编号 编号… —— 合并办理。
/analysis —— 综合分析：统计、主题聚类、重复建议，附图表（PNG）和 Excel 表格。
/broadcast —— 分步发布通知：选范围、写内容（可附文件）、立即或定时发送，预览确认后发出；/bcreport [编号] —— 送达和已阅情况；/bccancel 编号 —— 取消定时通知或停止发送。
/profile 编号 层级:省 标签:教育 —— 设置代表的人大层级和标签，供按层级、标签发通知。
/consult 截止日期 [范围] —— 回复已上传的法律草案文件，发布征求意见；/consultexport 编号 —— 按条文导出意见（Excel、Word）。"""

NOT_REGISTERED = (
    "您好，这是代表履职助手，仅向已登记的人大代表和工作人员开放。\n"
    "请向代表工作机构的工作人员索取邀请码，然后发送：/start 邀请码（例如 /start ABCD2345EF）"
)
SUSPENDED = "您的账号已被停用，如有疑问请联系代表工作机构的工作人员。"
STAFF_ONLY = "该功能仅限工作人员使用。"
ADMIN_ONLY = "只有管理员可以邀请或任命管理员。"
DEPUTY_DOCUMENT = ("文件入库仅限工作人员。如果这是建议或议案的附件，请在起草时的“附件”一步发送"
                   "（/suggest 开始起草，/drafts 继续草稿）；想查资料请直接用文字或语音提问。")
WELCOME = "{name}，欢迎使用代表履职助手！您的身份：{role}{delegation}。\n直接发送文字或语音提问，发送 /help 查看使用说明。"
ALREADY_REGISTERED = "您已经注册过了（{name}）。发送 /help 查看使用说明。"
CODE_MISSING = "请在 /start 后面加上邀请码，例如：/start ABCD2345EF"
CODE_INVALID = "邀请码无效，请核对后重新输入，或向工作人员索取新的邀请码。"
CODE_EXPIRED = "邀请码已过期，请向工作人员索取新的邀请码。"
CODE_USED = "该邀请码已被使用，每个邀请码只能使用一次。请向工作人员索取新的邀请码。"
ROLE_NAMES = {"deputy": "代表", "staff": "工作人员", "admin": "管理员"}

QUESTION_EMPTY = "请输入您的问题。"
QUESTION_TOO_LONG = ("问题太长（{n} 字），请精简到 {max} 字以内再发送。如果这是建议或议案的草稿，请发送 /suggest 按步骤填写"
                     "（每一步可以直接粘贴对应部分），或把草稿存为 .docx / .txt 文件在起草时发送。")
QUESTION_NOT_CHINESE = "目前只能回答中文提问，请用中文输入您的问题，例如：代表建议的答复期限是多久？"
# Above the answer to a message that asks several questions at once (a pasted paragraph).
SEVERAL_QUESTIONS = "（您一次问了 {n} 个问题，下面按整段查找；一次只问一个，回答会更准确。）"
RATE_LIMITED = "提问太频繁了，请 {s} 秒后再试。"
VOICE_TYPE_INSTEAD = "好的，请直接输入文字问题。"
NO_RESULTS = "抱歉，没有找到相关资料。可以换个说法再问，或联系工作人员补充资料。"
NOT_FOUND_LEAD = "没有找到能直接回答的句子，以下资料可能相关，供参考："
ANSWER_LEAD = "<b>答：</b>"
SOURCES_LEAD = "<b>出处：</b>"
UNSUPPORTED = ("暂时无法处理这类消息。助手能处理文字、语音和文件：直接用文字或语音提问；"
               "起草建议时可以发送文件（照片可在“附件”一步发送）。发送 /help 查看使用说明。")
UNKNOWN_COMMAND = "没有这个命令。发送 /help 查看使用说明。"
EXPIRED_BUTTON = "该按钮已失效，请重新提问。"
NO_MORE = "没有更多相关结果了。"
MORE_LEAD = "<b>更多相关资料：</b>"
RATED_USEFUL = "谢谢反馈！"
SMALL_TALK = {
    "greeting": "您好！我是代表履职助手。可以直接提问（文字或语音），例如“代表建议交办会在几月开？”；"
                "发送 /schedule 查看工作安排，/suggest 起草建议，/help 查看全部功能。",
    "thanks": "不客气！还有问题可以随时提问。",
}
RATED_USELESS = "谢谢反馈，我们会改进。"

VOICE_WORKING = "识别中…"
VOICE_HEARD = "您问的是：{text}"
VOICE_UNSURE = "您问的是：{text}\n\n听得不太准，如果不对，请点选正确的说法："
VOICE_UNAVAILABLE = "语音识别暂不可用，请改用文字提问。"
VOICE_TOO_LONG = "语音太长，请控制在 {s} 秒以内。"
VOICE_TOO_LARGE = "文件太大，请发送不超过 20 MB 的语音。"
VOICE_DOWNLOAD_FAILED = "语音下载失败，请重新发送或改用文字。"

SCHEDULE_EMPTY = "{y}年{m}月：暂无登记的安排。"
SCHEDULE_HEAD = "<b>{y}年{m}月工作安排</b>"
SCHEDULE_SOURCE = "《{title}》："
SCHEDULE_EVENTS = "<b>登记的活动：</b>"
EVENTS_NAMED_HEAD = "<b>工作人员登记的活动：</b>"
EVENTS_NAMED_HINT = "发送 /schedule 查看本月和下月的全部安排。"
SCHEDULE_YEAR_ROUND_HEAD = "<b>全年常态化工作</b>"
SCHEDULE_YEAR_ROUND_HINT = "另有全年常态化工作 {n} 项，发送“全年常态化工作”查看。"
SCHEDULE_YEAR_ROUND_EMPTY = "暂无登记的全年常态化工作。"

UPLOAD_BAD_TYPE = "只能导入 PDF、DOCX、MD、TXT 文件。"
UPLOAD_OLD_OFFICE = "《{name}》是旧版 Word、WPS 等格式，无法直接导入。请在 Word 或 WPS 中“另存为” .docx（或导出 PDF）后再发送。"
UPLOAD_TOO_LARGE = "文件超过 20 MB，无法导入。请拆分后再发送。"
UPLOAD_NEED_SCOPE = (
    "请在文件说明栏写明范围后重新发送：全部、工作人员、代表团:名称 或 委员会:名称。"
    "也可以先用 /scope 设置默认范围。"
)
# A DOCX/PDF without a scope may be a law draft meant for consultation (broadcasts/consult_handlers.py).
UPLOAD_NEED_SCOPE_OR_CONSULT = (
    "这份文件有两种用法：\n"
    "1. 入库供查询：请在文件说明栏写明范围后重新发送（全部、工作人员、代表团:名称 或 委员会:名称），"
    "也可以先用 /scope 设置默认范围；\n"
    "2. 法律草案征求意见：不必重新发送，回复这条文件消息，发送 /consult 截止日期 [范围]，"
    "例如 /consult 2026-03-20 全体。"
)
UPLOAD_LAW_DRAFT = ("《{name}》像是法律草案，未按默认范围入库（草案入库后会被当作现行规定回答代表的提问）。\n"
                    "· 征求意见：回复这条文件消息，发送 /consult 截止日期 [范围]，例如 /consult 2026-03-20 全体；\n"
                    "· 确需入库供查询：在文件说明栏写明范围后重新发送。")
UPLOAD_DOWNLOAD_FAILED = "文件下载失败，请重新发送。"
UPLOAD_WORKING = "正在导入《{name}》…"
UPLOAD_DONE = "导入完成：《{name}》\n范围：{scope}\n文档 {docs} 个，片段 {chunks} 个，页数 {pages}。"
UPLOAD_ERRORS = "\n未能导入：{errors}"
UPLOAD_NOTHING = "《{name}》未能导入：{errors}"
SCOPE_SET = "之后上传的文件默认范围：{scope}"
SCOPE_BAD = "范围格式不对。可用：全部、工作人员、代表团:名称、委员会:名称。例如：/scope 代表团:宁夏代表团"

INVITE_USAGE = ("用法：/invite 角色 姓名 [代表团] [专门委员会…]，角色写 代表、工作人员 或 管理员（也可写 deputy、staff、admin）。"
                "例如：/invite 代表 张三 宁夏代表团 财政经济委员会")
INVITE_DONE = ("邀请码：<code>{code}</code>\n姓名：{name}，身份：{role}，{hours} 小时内有效，仅能使用一次。\n"
               "请让对方向机器人发送：<code>/start {code}</code>")
INVITE_UNKNOWN_WORDS = ("没有生成邀请码：“{words}”既不是代表团（写作“××代表团”），也不是专门委员会（写作“××委员会”）。"
                        "邀请码只记录姓名、代表团和专门委员会，请去掉这些词后重发，例如：{example}")
INVITES_HEAD = "尚未使用的邀请码（/revoke 编号 作废）："
INVITES_EMPTY = "没有尚未使用的邀请码。"
REVOKE_USAGE = "用法：/revoke 邀请编号（/invites 查看编号）"
INVITE_UNKNOWN = "没有编号为 {id} 的未使用邀请码（可能已被使用、已过期或已作废；/invites 查看）。"
REVOKE_DONE = "已作废邀请码：{name}（编号 {id}）。对方再发送这个邀请码将无法注册。"
UPLOADS_HEAD = "已上传的文件（/delupload 代码 删除）："
UPLOADS_EMPTY = "还没有上传过文件。"
DELUPLOAD_USAGE = "用法：/delupload 代码（/uploads 查看代码）"
DELUPLOAD_UNKNOWN = "没有代码为 {code} 的上传文件（/uploads 查看）。内置资料和服务器上建立的法律索引不能在这里删除。"
DELUPLOAD_DONE = "已删除《{title}》（{chunks} 个片段），之后的回答不再引用它。需要时重新发送文件即可恢复。"
USERS_EMPTY = "还没有注册用户。"
SUSPEND_USAGE = "用法：/suspend 用户编号（用 /users 查看编号）"
SETROLE_USAGE = "用法：/setrole 用户编号 角色（代表、工作人员 或 管理员），例如：/setrole 3 工作人员"
USER_UNKNOWN = "没有编号为 {id} 的用户。"
SUSPEND_DONE = "已停用：{name}（编号 {id}）"
REACTIVATE_USAGE = "用法：/reactivate 用户编号（用 /users 查看编号）"
REACTIVATE_DONE = "已恢复：{name}（编号 {id}），可以重新使用助手。"
SETROLE_DONE = "已将 {name}（编号 {id}）的身份改为：{role}"
ADDEVENT_USAGE = ("用法：/addevent 日期 [时间] [范围] 活动名称，例如：\n"
                  "/addevent 2026-12-05 14:30 代表座谈会\n"
                  "/addevent 12月8日 下午3点 宁夏代表团 赴中卫视察\n"
                  "范围同 /broadcast：全体、代表团:名称、委员会:名称；不写时间按上午 9:00 计，活动前一天提醒。")
ADDEVENT_DONE = "已登记：{day} {title}"

ERROR = "抱歉，处理您的请求时出错了（事件编号 {incident}）。请稍后再试；如果反复出现，请把事件编号告诉工作人员。"

# Above the reply to a follow-up (“那答复期限是多久？”), so the deputy sees what was searched.
FOLLOWUP_UNDERSTOOD = "（按上一问理解为：{query}）"
