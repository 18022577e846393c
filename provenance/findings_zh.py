"""Chinese texts for the finding codes: a title and a fix for every code in `findings.CODES`.

Reports are written in Chinese and English. The English `title` and `fix` in findings.py are the reference;
the texts here render them in Chinese, using the terms of the CAC Interim Measures for Generative AI Services
and TC260-003 where they exist. Inline code (manifest keys, commands, file names) stays untranslated.
"""

from __future__ import annotations

from provenance.findings import CODES

TITLES_ZH: dict[str, str] = {
    # scan
    "SCAN_NO_FILES": "声明的路径未匹配到任何文件",
    "SCAN_UNREADABLE_FILE": "文件无法打开",
    "SCAN_WRITE_FAILED": "文件的检查结果无法写入临时空间（磁盘已满、配额或文件大小限制）",
    "SCAN_TRUNCATED_FILE": "压缩文件或归档文件在结尾前中断",
    "SCAN_CORRUPT_FILE": "压缩数据或归档文件已损坏",
    "SCAN_MALFORMED_FILE": "整个文件无法按其格式解析",
    "SCAN_UNKNOWN_FORMAT": "无法判断文件的格式",
    "SCAN_FILE_TOO_LARGE": "文件过大，超出其格式读取器的处理能力",
    "SCAN_NO_TEXT_FIELD": "文件中没有任何记录包含所声明的文本字段",
    "SCAN_EMPTY_FILE": "文件为空或仅含空行",
    "SCAN_MALFORMED_RECORD": "无法解析的记录已被拒收",
    "SCAN_RAGGED_ROW": "字段数不正确的 CSV/TSV 行已被拒收",
    "SCAN_MISSING_TEXT": "缺少文本字段的记录已被拒收",
    "SCAN_EMPTY_TEXT": "文本为空的记录已被拒收",
    "SCAN_RECORD_TOO_LARGE": "超出单条记录大小上限的记录已被拒收",
    "SCAN_INVALID_ENCODING": "含有所声明编码下无效字节的记录已予保留，无效字节以 U+FFFD 替换",
    # licence and IP
    "LIC_CONFLICT": "声明的许可证与数据中发现的许可证不一致",
    "LIC_UNKNOWN": "许可证无法识别为已知许可证",
    "LIC_UNSPECIFIED": "未声明也未发现许可证：该来源的使用权利尚未确认",
    "LIC_NOT_COMMERCIAL": "商业用途的语料中含有非商业性使用或仅限研究用途的来源",
    "LIC_NO_DERIVATIVES": "禁止演绎许可证：使用其数据进行训练存在法律风险",
    "LIC_SHARE_ALIKE": "相同方式共享义务延及由该来源派生的成果",
    "LIC_ATTRIBUTION": "许可证要求署名",
    "LIC_USE_RESTRICTIONS": "许可证附带向下游传递的使用限制",
    "LIC_TOS_RESTRICTED": "数据受服务条款约束，该条款可能禁止将其用于训练",
    "LIC_NOTICES_IN_PUBLIC_DOMAIN": "在声明为公有领域或 CC0 的来源中发现版权声明",
    "LIC_COPYRIGHT_NOTICES": "文档带有版权声明或许可声明",
    # evidence of acquisition
    "EVID_NO_LICENCE": "开放许可的来源缺少许可证",
    "EVID_NO_COLLECTION_RECORDS": "自行采集的来源缺少采集记录",
    "EVID_ROBOTS_NOT_RESPECTED": "自行采集的数据在采集时未遵守 robots.txt（robots协议）或其他拒绝采集的声明",
    "EVID_ROBOTS_UNKNOWN": "自行采集的数据未说明是否遵守了 robots.txt（robots协议）及拒绝采集的声明",
    "EVID_NO_CONTRACT": "商业购买的来源未注明合同",
    "EVID_NO_AUTHORISATION": "用户数据缺少授权记录",
    "EVID_NO_GENERATOR": "合成数据未注明生成该数据的模型",
    "EVID_NO_EVIDENCE": "未说明获取方式或其证明材料",
    # foundation model
    "MODEL_LICENSE_MISSING": "未声明基础模型的许可证",
    "MODEL_FILING_MISSING": "未声明基础模型的备案编号",
    # personal information
    "PII_NO_CONSENT": "在同意依据为“无”或“未知”的来源中发现个人信息",
    "PII_SENSITIVE_NO_SEPARATE_CONSENT": "敏感个人信息（身份证号码、银行卡号、护照号码）未取得单独同意",
    "PII_IN_ANONYMISED": "在声明为已匿名化或不含个人信息的来源中发现个人信息",
    # duplicates and diversity
    "DUP_HIGH_RATE": "来源中有较大比例的文档与该来源的其他文档完全重复或近似重复",
    "DUP_SOURCE_OVERLAP": "某一来源中有较大比例的内容同时存在于另一来源：语料规模对其重复计算",
    "DUP_ALREADY_PRESENT": "新数据集的大部分内容已存在于所审核的语料中",
    "LANG_MISMATCH": "来源中发现的语言与所声明的语言不一致",
    "DIV_SINGLE_SOURCE": "语料中某一语言和模态的数据仅来自单一来源",
    "PII_FOUND": "发现个人信息；所声明的依据涵盖该信息",
    # annotation quality checks
    "ANN_CHECK_UNREADABLE": "标注抽检文件无法读取或没有可用的行",
    "ANN_LOW_AGREEMENT": "标注抽检显示准确率偏低：核验人员与过多标注结果不一致",
    "ANN_NO_CHECKS": "来源声明了标注，但没有标注质量核验的结果",
    "ONB_NO_DOCUMENTS": "候选来源未产生可供评审的文档",
}

FIXES_ZH: dict[str, str] = {
    # scan
    "SCAN_NO_FILES": "更正清单中的 glob 模式，或补充缺失的文件",
    "SCAN_UNREADABLE_FILE": "检查该文件的访问权限，并确认其仍然存在",
    "SCAN_WRITE_FAILED": "释放审计 --out 目录所在磁盘的空间后重新审计：只会重新读取该文件",
    "SCAN_TRUNCATED_FILE": "重新复制或下载该文件；中断处之前的记录已予保留",
    "SCAN_CORRUPT_FILE": "重新复制或下载该文件",
    "SCAN_MALFORMED_FILE": "修复该文件，或将该来源的 `format:` 设置为其实际格式",
    "SCAN_UNKNOWN_FORMAT": "在该来源上设置 `format:`，或收窄其 `paths`/`members` glob 模式",
    "SCAN_FILE_TOO_LARGE": "将其转换为 JSONL 或 Parquet 格式，这两种格式以流式方式读取",
    "SCAN_NO_TEXT_FIELD": "将该来源的 `text_field:` 设置为存放文本的字段或列",
    "SCAN_EMPTY_FILE": "将其从该来源中移除，或查明其为空的原因",
    "SCAN_MALFORMED_RECORD": "修复所列出的行；其余记录已正常读取",
    "SCAN_RAGGED_ROW": "为包含分隔符的字段加引号，或修复所列出的行",
    "SCAN_MISSING_TEXT": "检查 `text_field:`，或接受这些记录不含文本",
    "SCAN_EMPTY_TEXT": "除非空记录不应出现，否则无需处理",
    "SCAN_RECORD_TOO_LARGE": "如此类记录属于正常数据，可调高 --max-record-mb",
    "SCAN_INVALID_ENCODING": "如文件并非 UTF-8 编码，请在该来源上设置 `encoding:`，或修复相应字节",
    # licence and IP
    "LIC_CONFLICT": "查明实际适用的许可证，并更正清单中的 `license.declared`",
    "LIC_UNKNOWN": "以 SPDX 标识符或完整名称填写许可证，或将相关条款提交审查",
    "LIC_UNSPECIFIED": "取得许可证或数据可被使用所依据的条款，并予以声明",
    "LIC_NOT_COMMERCIAL": "移除该来源、取得商业许可，或变更数据集的预期用途",
    "LIC_NO_DERIVATIVES": "取得权利人的许可，或移除该来源",
    "LIC_SHARE_ALIKE": "核实模型及其输出能否满足相同方式共享条款",
    "LIC_ATTRIBUTION": "在分发模型之处发布 ATTRIBUTION.md（与报告一同生成）",
    "LIC_USE_RESTRICTIONS": "将这些限制纳入模型的使用条款",
    "LIC_TOS_RESTRICTED": "在使用数据之前，将相关条款提交审查",
    "LIC_NOTICES_IN_PUBLIC_DOMAIN": "核查所列文档；将其移除，或更正所声明的许可证",
    "LIC_COPYRIGHT_NOTICES": "核实该来源的许可证是否涵盖这些文档（TC260-003 5.2 b 要求识别知识产权风险）",
    # evidence of acquisition
    "EVID_NO_LICENCE": "声明许可证（`license.declared`），并将 `license.files` 指向许可证文本",
    "EVID_NO_COLLECTION_RECORDS": "将 `acquisition.evidence` 设置为采集日志或采集记录",
    "EVID_ROBOTS_NOT_RESPECTED": "移除违反拒绝采集声明而采集的内容，或书面说明为何不存在适用的拒绝采集声明",
    "EVID_ROBOTS_UNKNOWN": "根据爬虫的记录设置 `acquisition.robots_respected`",
    "EVID_NO_CONTRACT": "将 `acquisition.evidence` 设置为合同及卖方提供的来源证明",
    "EVID_NO_AUTHORISATION": "将 `acquisition.evidence` 设置为用户的授权记录",
    "EVID_NO_GENERATOR": "设置 `acquisition.generator_model`（并核查该模型的条款）",
    "EVID_NO_EVIDENCE": "设置 `acquisition.method` 和 `acquisition.evidence`",
    # foundation model
    "MODEL_LICENSE_MISSING": "设置 `dataset.foundation_model.license`",
    "MODEL_FILING_MISSING": "设置 `dataset.foundation_model.filing_reference`（TC260-003 §6：所使用的模型本身须已备案）",
    # personal information
    "PII_NO_CONSENT": "取得同意，或在 `personal_information.consent_basis` 中记录其他合法依据并附证明材料，或在训练前删除或匿名化处理该个人信息",
    "PII_SENSITIVE_NO_SEPARATE_CONSENT": "取得单独同意（`consent_basis: separate_consent` 并附证明材料），或删除这些标识符",
    "PII_IN_ANONYMISED": "修正匿名化处理（参见报告中经遮蔽处理的示例），或更正 `consent_basis`",
    # duplicates and diversity
    "DUP_HIGH_RATE": "对该来源进行去重（`provenance clusters --keep-list` 为每个簇给出一份文档），并说明去重后的规模",
    "DUP_SOURCE_OVERLAP": "从其中一个来源中删除副本，或在数据说明中声明该重叠",
    "DUP_ALREADY_PRESENT": "仅添加语料中缺少的文档（参见重叠报告），或不采用该数据集",
    "LANG_MISMATCH": "更正清单中的 `language:`，或查明内容与声明不符的原因",
    "DIV_SINGLE_SOURCE": "为其增加第二个来源（TC260-003 5.1 b 要求每种语言和模态有多个来源），或说明为何单一来源已足够",
    "PII_FOUND": "将同意的证明材料与数据集一并保存；考虑删除模型不需要的标识符",
    # annotation quality checks
    "ANN_CHECK_UNREADABLE": "修复该文件或清单中的 `annotation.checks[].file`；列名须与 `item_field`、`label_field` 和 `check_field` 一致，标签须为类别名称而非自由文本",
    "ANN_LOW_AGREEMENT": "复查标注规则和存在分歧的条目，更正标注并重新抽样核验",
    "ANN_NO_CHECKS": "对标注结果抽样核验，并在 `annotation.checks` 下声明核验结果",
    "ONB_NO_DOCUMENTS": "检查该来源的路径、`format:` 和 `text_field:`（`provenance manifest validate`），然后重新评审",
}


def title(code: str, lang: str) -> str:
    """The title of `code` in `lang` ("zh" or "en"); English is the reference text in findings.py."""
    if lang == "zh":
        return TITLES_ZH[code]
    if lang == "en":
        return CODES[code].title
    raise ValueError(f"unsupported language: {lang!r}")


def fix(code: str, lang: str) -> str:
    """What to do next for `code` in `lang` ("zh" or "en"); English is the reference text in findings.py."""
    if lang == "zh":
        return FIXES_ZH[code]
    if lang == "en":
        return CODES[code].fix
    raise ValueError(f"unsupported language: {lang!r}")
