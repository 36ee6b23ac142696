"""The national template's vocabulary: label -> code maps of both eras (gb2019, gb2021).

Codes (a public contract: stable ASCII snake_case, only ever added to)

``active_disclosure`` (主动公开, section 二)
  gb2021 rows: regulations 规章, normative_documents 行政规范性文件,
    administrative_licensing 行政许可, administrative_punishment 行政处罚,
    administrative_coercion 行政强制, administrative_fees 行政事业性收费
  gb2021 columns: issued 本年制发件数, repealed 本年废止件数, in_force 现行有效件数,
    decisions 本年处理决定数量, fee_amount 本年收费金额（单位：万元）
  gb2019 rows: regulations 规章, normative_documents 规范性文件,
    administrative_licensing 行政许可, other_management_services 其他对外管理服务事项,
    administrative_punishment 行政处罚, administrative_coercion 行政强制,
    administrative_fees 行政事业性收费, government_procurement 政府集中采购,
    other_active_documents 其他主动公开文件 (an extra row some provinces add)
  A row label's trailing note in brackets is not part of it: 规章(设区的市…应提供相关数据).
  gb2019 columns: new_made 本年新制作数量, new_published 本年新公开数量,
    total_published 对外公开总数量, previous_year_items 上一年项目数量, change 本年增/减,
    decisions 处理决定数量, procurement_items 采购项目数量, procurement_amount 采购总金额
  A gb2019 column keeps its gb2019 code: 上一年项目数量 is previous_year_items, never fee_amount.

``applications`` (收到和处理政府信息公开申请, section 三)
  rows: new_received, carried_over, granted, partially_granted, denied_state_secret,
    denied_prohibited_by_law, denied_three_safeties_one_stability, denied_third_party_rights,
    denied_internal_affairs, denied_process_info, denied_law_enforcement_file,
    denied_administrative_inquiry, unable_not_held, unable_needs_creation,
    unable_unclear_after_correction, not_processed_petition, not_processed_repeat,
    not_processed_publication, not_processed_mass_repeat, not_processed_confirmation,
    other_processing (gb2019's single （六）其他处理 row), other_no_correction, other_no_fee,
    other_other (gb2021's three （六） sub-rows), total, carried_forward
  columns: natural_person 自然人, commercial 商业企业, research 科研机构,
    social_welfare 社会公益组织, legal_service 法律服务机构, other_org 其他, total 总计

``review_litigation`` (行政复议、行政诉讼, section 四)
  rows: review 行政复议, litigation_direct 未经复议直接起诉, litigation_after_review 复议后起诉
  columns: upheld 结果维持, corrected 结果纠正, other 其他结果, pending 尚未审结, total 总计
"""

from __future__ import annotations

from typing import Literal

from nianbao.core.gbtables.labels import compile_specs
from schemas.report import TableName

GbFormat = Literal["gb2019", "gb2021"]

ACTIVE: TableName = "active_disclosure"
APPLICATIONS: TableName = "applications"
REVIEW: TableName = "review_litigation"
COUNT_UNIT = "件"

# 主动公开: rows are matched on the whole label (after the enumerator), columns on the whole
# header (after a trailing unit).
ACTIVE_ROWS = compile_specs(
    [
        ("regulations", r"^规章$"),
        ("normative_documents", r"^(?:行政)?规范性文件$"),
        ("administrative_licensing", r"^行政许可$"),
        ("other_management_services", r"^其他对外管理服务事项$"),
        ("administrative_punishment", r"^行政处罚$"),
        ("administrative_coercion", r"^行政强制$"),
        ("administrative_fees", r"^行政事业性收费$"),
        ("government_procurement", r"^政府集中采购$"),
        ("other_active_documents", r"^其他主动公开文件$"),
    ]
)
ACTIVE_COLUMNS = compile_specs(
    [
        ("issued", r"^本年新?制发件数$"),
        ("repealed", r"^本年废止件数$"),
        ("in_force", r"^现行有效件数$"),
        ("decisions", r"^(?:本年)?处理决定数量$"),
        ("fee_amount", r"^本年收费金额$"),
        ("new_made", r"^本年新制作数量$"),
        ("new_published", r"^本年新公开数量$"),
        ("total_published", r"^对外公开总数量$"),
        ("previous_year_items", r"^上一?年项目数量$"),
        ("change", r"^本年增/?减(?:数量)?$"),
        ("procurement_items", r"^采购项目数量?$"),
        ("procurement_amount", r"^采购总金额$"),
    ]
)
ACTIVE_LABEL_HEADER = "信息内容"
ACTIVE_DEFAULT_UNITS = {"fee_amount": "万元", "procurement_amount": None}
ACTIVE_EXPECTED: dict[GbFormat, dict[str, tuple[str, ...]]] = {
    "gb2021": {
        "regulations": ("issued", "repealed", "in_force"),
        "normative_documents": ("issued", "repealed", "in_force"),
        "administrative_licensing": ("decisions",),
        "administrative_punishment": ("decisions",),
        "administrative_coercion": ("decisions",),
        "administrative_fees": ("fee_amount",),
    },
    "gb2019": {
        "regulations": ("new_made", "new_published", "total_published"),
        "normative_documents": ("new_made", "new_published", "total_published"),
        "administrative_licensing": ("previous_year_items", "change", "decisions"),
        "other_management_services": ("previous_year_items", "change", "decisions"),
        "administrative_punishment": ("previous_year_items", "change", "decisions"),
        "administrative_coercion": ("previous_year_items", "change", "decisions"),
        "administrative_fees": ("previous_year_items", "change"),
        "government_procurement": ("procurement_items", "procurement_amount"),
    },
}
ACTIVE_LABELS = {
    "regulations": "规章",
    "normative_documents": "行政规范性文件 / 规范性文件",
    "administrative_licensing": "行政许可",
    "other_management_services": "其他对外管理服务事项",
    "administrative_punishment": "行政处罚",
    "administrative_coercion": "行政强制",
    "administrative_fees": "行政事业性收费",
    "government_procurement": "政府集中采购",
    "other_active_documents": "其他主动公开文件",
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions": "处理决定数量",
    "fee_amount": "本年收费金额",
    "new_made": "本年新制作数量",
    "new_published": "本年新公开数量",
    "total_published": "对外公开总数量",
    "previous_year_items": "上一年项目数量",
    "change": "本年增/减",
    "procurement_items": "采购项目数量",
    "procurement_amount": "采购总金额",
}
ACTIVE_2021_COLUMNS = {"issued", "repealed", "in_force", "fee_amount"}
ACTIVE_2019_COLUMNS = {
    "new_made",
    "new_published",
    "total_published",
    "previous_year_items",
    "change",
    "procurement_items",
    "procurement_amount",
}
ACTIVE_2019_ROWS = {"other_management_services", "government_procurement"}

# 申请: rows are matched on the label content (after the enumerator), in this order.
_APPLICATION_ROW_SPECS: tuple[tuple[str, str, str], ...] = (
    ("new_received", "一、本年新收政府信息公开申请数量", r"^本年新收"),
    ("carried_over", "二、上年结转政府信息公开申请数量", r"^上年结转"),
    ("granted", "（一）予以公开", r"^予以公开$"),
    ("partially_granted", "（二）部分公开", r"^部分公开"),
    ("denied_state_secret", "1.属于国家秘密", r"国家秘密"),
    ("denied_prohibited_by_law", "2.其他法律行政法规禁止公开", r"禁止公开|法律行政法规|^其他法律"),
    ("denied_three_safeties_one_stability", "3.危及“三安全一稳定”", r"三安全一稳定"),
    ("denied_third_party_rights", "4.保护第三方合法权益", r"第三方"),
    ("denied_internal_affairs", "5.属于三类内部事务信息", r"内部事务"),
    ("denied_process_info", "6.属于四类过程性信息", r"过程性信息"),
    ("denied_law_enforcement_file", "7.属于行政执法案卷", r"执法案卷"),
    ("denied_administrative_inquiry", "8.属于行政查询事项", r"行政查询|查询事项"),
    ("unable_not_held", "1.本机关不掌握相关政府信息", r"不掌握"),
    ("unable_needs_creation", "2.没有现成信息需要另行制作", r"另行制作|没有现成"),
    ("unable_unclear_after_correction", "3.补正后申请内容仍不明确", r"仍不明确|补正后"),
    ("not_processed_petition", "1.信访举报投诉类申请", r"^信访|举报投诉"),
    ("not_processed_repeat", "2.重复申请", r"^重复申请$"),
    ("not_processed_publication", "3.要求提供公开出版物", r"出版物"),
    ("not_processed_mass_repeat", "4.无正当理由大量反复申请", r"大量反复"),
    ("not_processed_confirmation", "5.要求行政机关确认或重新出具已获取信息", r"重新出具|确认或"),
    ("other_processing", "（六）其他处理", r"^其他处理$"),
    ("other_no_correction", "1.申请人无正当理由逾期不补正…", r"不补正"),
    ("other_no_fee", "2.申请人逾期未按收费通知要求缴纳费用…", r"缴纳费用|收费通知"),
    ("other_other", "3.其他", r"^其他$"),
    ("total", "（七）总计", r"^总计(?:\((?:\d+|七)\))?$"),
    ("carried_forward", "四、结转下年度继续办理", r"^结转下"),
)
APPLICATION_ROWS = compile_specs((code, regex) for code, _, regex in _APPLICATION_ROW_SPECS)
APPLICATION_ROW_LABELS = {code: label for code, label, _ in _APPLICATION_ROW_SPECS}
OTHER_2021 = ("other_no_correction", "other_no_fee", "other_other")
_OUTCOMES_COMMON = (
    "granted",
    "partially_granted",
    "denied_state_secret",
    "denied_prohibited_by_law",
    "denied_three_safeties_one_stability",
    "denied_third_party_rights",
    "denied_internal_affairs",
    "denied_process_info",
    "denied_law_enforcement_file",
    "denied_administrative_inquiry",
    "unable_not_held",
    "unable_needs_creation",
    "unable_unclear_after_correction",
    "not_processed_petition",
    "not_processed_repeat",
    "not_processed_publication",
    "not_processed_mass_repeat",
    "not_processed_confirmation",
)
OUTCOMES: dict[GbFormat | None, tuple[str, ...]] = {
    "gb2021": (*_OUTCOMES_COMMON, *OTHER_2021),
    "gb2019": (*_OUTCOMES_COMMON, "other_processing"),
    None: _OUTCOMES_COMMON,
}
APPLICATION_EXPECTED_ROWS: dict[GbFormat | None, tuple[str, ...]] = {
    fmt: ("new_received", "carried_over", *outcomes, "total", "carried_forward")
    for fmt, outcomes in OUTCOMES.items()
}
APPLICANTS = (
    ("natural_person", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("social_welfare", "社会公益组织"),
    ("legal_service", "法律服务机构"),
    ("other_org", "其他"),
)
APPLICATION_COLUMNS = {**{label: code for code, label in APPLICANTS}, "总计": "total"}
APPLICATION_COLUMN_LABELS = {code: label for label, code in APPLICATION_COLUMNS.items()}
SUBTOTAL_COLUMNS = {"法人或其他组织小计", "法人或者其他组织小计", "小计"}
LEGAL_PERSON_SPAN = {"法人或其他组织", "法人或者其他组织"}
APPLICATION_HEADER_MARKS = {"申请人情况", *SUBTOTAL_COLUMNS, *LEGAL_PERSON_SPAN} | set(
    APPLICATION_COLUMNS
) - {"其他", "总计"}
NONSTANDARD = "nonstandard"

# 复议/诉讼
REVIEW_GROUPS = (
    ("review", "行政复议"),
    ("litigation_direct", "未经复议直接起诉"),
    ("litigation_after_review", "复议后起诉"),
)
REVIEW_RESULTS = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)
REVIEW_GROUP_KEYS = {label: code for code, label in REVIEW_GROUPS}
REVIEW_RESULT_KEYS = {label: code for code, label in REVIEW_RESULTS}
REVIEW_HEADER_MARKS = {"行政诉讼", *REVIEW_GROUP_KEYS, *REVIEW_RESULT_KEYS} - {"总计"}
REVIEW_CELLS = tuple((g, gl, r, rl) for g, gl in REVIEW_GROUPS for r, rl in REVIEW_RESULTS)

TABLE_NAMES = {ACTIVE: "主动公开", APPLICATIONS: "申请", REVIEW: "复议/诉讼"}
