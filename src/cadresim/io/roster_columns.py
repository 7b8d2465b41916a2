"""The documented columns of a district's roster file and units file.

Each column has its Chinese and English headers, the older or variant headers accepted (2014 HR
files), how its cells are read, whether it is required, what it means in both languages, an example
and what an empty cell or an absent column means. Reading (:mod:`cadresim.io.roster_read`), templates and
exports (:mod:`cadresim.io.roster_write`) all follow these specs.
"""

from __future__ import annotations

from dataclasses import dataclass

from cadresim.io.roster_cells import GRASSROOTS_FLAG_MONTHS
from cadresim.scenario.schema import Scenario


@dataclass(frozen=True)
class Column:
    """A documented column of a roster or units file.

    Attributes:
        field: the internal field it fills.
        zh: the header written in templates and exports (Chinese).
        en: the header written with English headers.
        kind: how cells are read (see :func:`cadresim.io.roster_cells.cell_parsers`).
        required: the column must be present.
        meaning: what it holds (English).
        meaning_zh: what it holds (Chinese).
        example: an example value.
        aliases: further headers accepted, most precise first (older forms, variants).
        empty: what an empty cell, or an absent optional column, means (English).
        empty_zh: the same in Chinese.
    """

    field: str
    zh: str
    en: str
    kind: str
    required: bool
    meaning: str
    meaning_zh: str
    example: str
    aliases: tuple[str, ...] = ()
    empty: str = ""
    empty_zh: str = ""

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.zh, self.en, *self.aliases)


def _col(field_: str, zh: str, kind: str, required: bool, meaning: str, meaning_zh: str, example: str,
         aliases: tuple[str, ...] = (), empty: tuple[str, str] = ("", ""), en: str | None = None) -> Column:
    return Column(field_, zh, en or field_, kind, required, meaning, meaning_zh, example, aliases, *empty)


#: columns of the roster (cadres) file, in the order templates and exports write them
CADRE_FILE_COLUMNS = (
    _col("cadre_id", "人员编号", "id", True, "the cadre's id, unique in the file: the HR system's 工号, or 1, 2, "
         "3...; never an ID-card number", "人员编号，本表内唯一：可用人事系统工号或顺序号，不得使用身份证号", "A0017",
         ("工号", "编号", "干部编号", "人员代码", "id")),
    _col("birth", "出生年月", "month", True, "birth month", "出生年月", "1975-03",
         ("出生日期", "出生年月日", "出生时间", "birth_month", "date_of_birth")),
    _col("female", "性别", "sex", True, "sex: 男 or 女 (M or F)", "性别：男 或 女", "女", ("gender",), en="sex"),
    _col("work_start", "参加工作时间", "month", True, "month the cadre started work (before the civil service "
         "included)", "参加工作时间（含进入机关前的工作经历）", "1997-07", ("参加工作年月", "参加工作日期")),
    _col("grade", "现职务层次", "grade", True, "level on the start date: a grade key of the scenario or its "
         "Chinese name (科员, 副科, 正科, 副处, 正处, 副局; 正科级, 科员级 and so on also accepted), leading or "
         "non-leading; a non-leading rank's name (主任科员) gives its level and the non-leading track",
         "现职务层次：科员、副科、正科、副处、正处、副局（也可写 正科级、科员级 等），领导职务与非领导职务同；写非领导职务名称"
         "（如 主任科员）即按其层次计入非领导职务", "正科",
         ("现任职级", "职务层次", "现职级", "职级", "现职务级别")),
    _col("title", "职务", "title", False, "the cadre's 职务 (title): a non-leading rank (副主任科员, 主任科员, 副调研员, "
         "调研员) places them on the non-leading track at its level; a leading title (科长, 副处长, 主任, 书记 …) or "
         "科员 on the leading track; a local title is mapped in the scenario (nonleading.roster_titles)",
         "现任职务：非领导职务（副主任科员、主任科员、副调研员、调研员）按其层次计入非领导职务；领导职务（科长、副处长、"
         "主任、书记等）或科员为领导职务序列；本地职务名称可在情景文件 nonleading.roster_titles 中对照", "主任科员",
         ("现任职务", "现职务", "职务名称", "job_title"),
         ("a leading post (or none), unless 现职务层次 names a non-leading rank or 非领导职务 says 是",
          "领导职务（或无），除非现职务层次写的是非领导职务，或“非领导职务”栏为“是”")),
    _col("nonleading", "非领导职务", "flag", False, "holds the non-leading rank of the level (是 or 否, yes or "
         "no); with 职务, they must agree", "是否担任本层次的非领导职务：是 或 否（与“职务”栏须一致）", "是",
         ("是否非领导职务", "non_leading"),
         ("as 职务 or 现职务层次 says; else 否 (a leading post or none)", "按“职务”或“现职务层次”；都未写明时为否")),
    _col("grade_since", "任现职务层次时间", "month", True, "month the cadre entered the grade",
         "任现职务层次（职级）的时间", "2011-06", ("任现职级时间", "任现级别时间", "任现职务层次日期", "任职级时间")),
    _col("unit_id", "单位编号", "unit_id", False, "the unit: its 单位编号 in the units file (this column or 单位 "
         "is required; with both, they must agree)", "所在单位的单位编号（与单位表一致；本列与“单位”至少填一列）", "3",
         ("单位代码",)),
    _col("unit_name", "单位", "unit_name", False, "the unit: its name in the units file", "所在单位名称（与单位表一致）",
         "区发展改革委", ("工作单位", "所在单位", "单位名称", "unit_name"), en="unit"),
    _col("post_since", "任现职时间", "month", False, "month the cadre took the current post", "任现职（现岗位）的时间",
         "2012-09", ("任现岗位时间", "任现职务时间"), ("the month the cadre entered the grade", "同任现职务层次时间")),
    _col("last_promotion", "最近晋升时间", "month_or_none", False, "month of the last promotion",
         "最近一次晋升的时间", "2011-06", ("上次晋升时间",),
         ("the month the cadre entered the grade (none for the bottom grade); 无 or none: never promoted",
          "同任现职务层次时间（最低层次为无）；填 无 表示从未晋升")),
    _col("posts_held", "本层次任职岗位数", "count", False, "distinct posts held in the current grade, the current "
         "one included (the rule of two section-chief posts counts these)",
         "在现职务层次担任过的不同岗位数（含现岗位；“两个科长岗位”按此计）", "2",
         ("现职务层次任职岗位数", "现层次岗位数"), ("1: the current post only", "1，即仅现岗位")),
    _col("grassroots_months", "基层工作经历(月)", "grassroots", True,
         f"months of grassroots experience on the start date; or 是/否 (yes/no): 是 counts as "
         f"{GRASSROOTS_FLAG_MONTHS} months [assumption]",
         f"截至起始日期的基层工作经历月数；也可填 是/否（“是”按 {GRASSROOTS_FLAG_MONTHS} 个月计）", "36",
         ("基层工作经历月数", "基层工作月数", "基层工作经历", "是否具有两年以上基层工作经历", "两年以上基层工作经历",
          "是否有两年以上基层工作经历", "grassroots")),
    _col("enterprise", "企业工作经历", "flag", False, "has enterprise experience: 是 or 否 (yes or no)",
         "是否有企业工作经历：是 或 否", "否", ("是否有企业工作经历", "企业经历"), ("否 (no)", "否")),
    _col("cohort", "青年英才批次", "text", False, "Youth Talent (青年英才) cohort, by its name in the scenario "
         "(c1 ...)", "所在青年英才批次（与情景文件中的名称一致，如 c1）", "c1", ("青年英才", "youth_talent"),
         ("not a member", "非青年英才")),
    _col("probation_end", "试用期满时间", "month", False, "month probation ends, for cadres on probation on the "
         "start date", "试用期满时间（起始日期仍在试用期内者填写）", "2014-09", ("试用期截止时间", "试用期到期时间"),
         ("not on probation; an absent column: on probation for probation.months after a promotion into a "
          "grade with probation", "不在试用期；缺此列时：晋升到有试用期的职务层次后 probation.months 个月内视为试用期")),
    _col("secondment_end", "挂职结束时间", "month", False, "month a secondment (挂职) running on the start date "
         "ends", "挂职结束时间（起始日期正在挂职者填写）", "2014-09", ("挂职期满时间",), ("not seconded", "未挂职")),
)

CADRE_FILE_FIELDS = {c.field: c for c in CADRE_FILE_COLUMNS}

#: headers of personal identifiers: recognised and dropped unread (never in the roster or any output)
IDENTIFIER_HEADERS = ("姓名", "名字", "name", "full_name", "身份证号", "身份证号码", "公民身份号码", "身份证",
                      "id_card", "id_number", "national_id", "手机", "手机号码", "联系电话", "电话", "phone",
                      "家庭住址", "住址", "address", "email", "邮箱", "电子邮箱")

#: the bottom grade's posts are its establishment (编制)
ESTABLISHMENT_ALIASES = ("编制", "编制数", "核定编制")


def unit_file_columns(scenario: Scenario) -> tuple[Column, ...]:
    """Columns of the units file: id, name, type and the posts of every grade of the ladder."""
    fixed = (
        _col("unit_id", "单位编号", "count", False, "unit id: a whole number, unique in the file",
             "单位编号：整数，本表内唯一", "3", ("单位代码", "编号", "id"),
             ("numbered 0, 1, 2 ... in file order", "按行顺序编号 0、1、2……")),
        _col("name", "单位名称", "text", True, "unit name", "单位名称", "区发展改革委", ("单位", "名称", "unit")),
        _col("type", "单位类型", "type", True, f"unit type: a type of the scenario ({', '.join(scenario.district.units)}) "
             "or its Chinese name (委办局, 街镇 or 街道 or 镇, 区领导)", "单位类型：委办局、街镇（街道、镇）、区领导",
             "委办局", ("类型", "unit_type")),
        _col("district", "所属区", "count", False, "district number (0, 1, 2 ...) when the file holds several "
             "districts of a city, each selecting within itself; city-level unit types leave it empty",
             "所属区编号：文件包含全市多个区时填写 0、1、2……（各区分别选拔）；市级单位不填", "0", ("区编号", "district_id"),
             ("0: a single district", "0，即只有一个区")),
    )
    return fixed + tuple(_posts_column(scenario, g) for g in scenario.ladder)


def _posts_column(scenario: Scenario, grade: str) -> Column:
    zh = scenario.grades[grade].name_zh or grade
    bottom = grade == scenario.ladder[0]
    aliases = (f"{zh}级职数", zh, f"{zh}级", *(ESTABLISHMENT_ALIASES if bottom else ()))
    what = " (the establishment, 编制)" if bottom else ""
    return _col(f"posts_{grade}", f"{zh}职数", "posts", False, f"posts of {grade} ({zh}) in the unit{what}",
                f"本单位{zh}职数" + ("（编制数）" if bottom else ""), "2", aliases, ("0", "0"))

