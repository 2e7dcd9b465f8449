import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { extractLinks, normaliseGithubRepo } from "./links.js";

// Each case is a real arXiv abstract sentence (and comment) from the daily cs listings,
// copied verbatim, with the links a reader would expect.
const REAL: Array<{ id: string; abstract: string; comment: string | null; githubRepo: string | null; projectPage: string | null }> = [
  {
    id: "2503.17966 (\\url{...})",
    abstract: "The code and dataset are publicly available at \\url{https://github.com/lwCVer/RRSHID}.",
    comment: "11 pages, 9 figures, real-world remote sensing image dehazing dataset",
    githubRepo: "https://github.com/lwCVer/RRSHID",
    projectPage: null,
  },
  {
    id: "2505.05446 (host broken by a space)",
    abstract: "Our code and models are released at https://github. com/Euphoria16/DocMark.",
    comment: "CVPR2025",
    githubRepo: "https://github.com/Euphoria16/DocMark",
    projectPage: null,
  },
  {
    id: "2509.03494 (spaces everywhere)",
    abstract: "The source code is publicly available at https: // github. com/ yahya-ben/ mplug2-vp-for-nriqa .",
    comment: null,
    githubRepo: "https://github.com/yahya-ben/mplug2-vp-for-nriqa",
    projectPage: null,
  },
  {
    id: "2505.24635 (github.io host broken by a space)",
    abstract: "Our code can be found at https://yingjiahao14. github.io/Dual-Evaluation/.",
    comment: "Accepted to ACL 2025 (Main Conference)",
    githubRepo: null,
    projectPage: "https://yingjiahao14.github.io/Dual-Evaluation/",
  },
  {
    id: "2508.17230 (hyphenated host broken by a space)",
    abstract: "Our project page is available at: https://4d- visual-pretraining.github.io/.",
    comment: null,
    githubRepo: null,
    projectPage: "https://4d-visual-pretraining.github.io/",
  },
  {
    id: "2503.21771 (https: //)",
    abstract: "The code is available at https: //github.com/HongkLin/TIDE.",
    comment: "Accepted by CVPR 2025. The code is available at https: //github.com/HongkLin/TIDE",
    githubRepo: "https://github.com/HongkLin/TIDE",
    projectPage: null,
  },
  {
    id: "2503.16983 (http, tree path)",
    abstract:
      "The source code and pre-trained models are publicly available and implemented using the PaddlePaddle framework at http://github.com/PaddlePaddle/PaddleMIX/tree/develop/ppdiffusers/examples/ppvctrl.",
    comment: "Codes and Supplementary Material: http://github.com/PaddlePaddle/PaddleMIX/tree/develop/ppdiffusers/examples/ppvctrl",
    githubRepo: "https://github.com/PaddlePaddle/PaddleMIX",
    projectPage: null,
  },
  {
    id: "2503.12559 (.git then full stop)",
    abstract: "Our code is available at https://github.com/SCZwangxiao/video-FlexReduc.git.",
    comment: null,
    githubRepo: "https://github.com/SCZwangxiao/video-FlexReduc",
    projectPage: null,
  },
  {
    id: "2503.12527 (\\textcolor, .git)",
    abstract: "The source code and video will be available at \\textcolor{red}{https://github.com/yiyscut/VIO-IPNet.git}.",
    comment: null,
    githubRepo: "https://github.com/yiyscut/VIO-IPNet",
    projectPage: null,
  },
  {
    id: "2503.17057 (TeX-escaped underscores)",
    abstract: "Our codes are publicly available on https://github.com/13204942/SSL\\_Cervical\\_Segmentation.",
    comment: "Accepted for an oral presentation at ISBI 2025 Fetal Ultrasound Grand Challenge: Semi-Supervised Cervical Segmentation",
    githubRepo: "https://github.com/13204942/SSL_Cervical_Segmentation",
    projectPage: null,
  },
  {
    id: "2506.22505 (\\href with label and url swapped)",
    abstract: "The basecode for this work can be found at \\href{GitHub}{https://github.com/bakerhassan/WSOS}.",
    comment: null,
    githubRepo: "https://github.com/bakerhassan/WSOS",
    projectPage: null,
  },
  {
    id: "2503.13399 (project page preferred over a dataset link)",
    abstract: "MicroVQA is available at https://huggingface.co/datasets/jmhb/microvqa, and project page at https://jmhb0.github.io/microvqa.",
    comment:
      "CVPR 2025 (Conference on Computer Vision and Pattern Recognition) Project page at https://jmhb0.github.io/microvqa Benchmark at https://huggingface.co/datasets/jmhb/microvqa",
    githubRepo: null,
    projectPage: "https://jmhb0.github.io/microvqa",
  },
  {
    id: "2503.23453 (user-only link, twice)",
    abstract: "The source code will be available at https://github.com/zxk688}{https://github.com/zxk688.",
    comment: null,
    githubRepo: null,
    projectPage: null,
  },
  {
    id: "2506.02393 (user-only link, then a plain word after a space)",
    abstract: "Our code will be available at https://github.com/yongxianLiu/ soon.",
    comment: null,
    githubRepo: null,
    projectPage: null,
  },
  {
    id: "2503.18382 (glued to a word in parentheses; first repo wins)",
    abstract:
      "Code and models are publicly available at PaddleOCR(https://github.com/PaddlePaddle/PaddleOCR) and PaddleX(https://github.com/PaddlePaddle/PaddleX).",
    comment: null,
    githubRepo: "https://github.com/PaddlePaddle/PaddleOCR",
    projectPage: null,
  },
  {
    id: "2504.18959 (bare www.github.com)",
    abstract: "The code is available at: www.github.com/ka-mirul/R-Sparse-R-CNN.",
    comment: "Submitted to IEEE Journal of Selected Topics in Applied Earth Observations and Remote Sensing",
    githubRepo: "https://github.com/ka-mirul/R-Sparse-R-CNN",
    projectPage: null,
  },
  {
    id: "2506.17221 (bare www. project page in the comment)",
    abstract: "s can drive embodied navigation and enhance task-specific reasoning through data-efficient, reward-driven post-training.",
    comment: "project page: www.vlnr1.github.io",
    githubRepo: null,
    projectPage: "https://www.vlnr1.github.io",
  },
  {
    id: "2510.02186 (Markdown link)",
    abstract: "Our codes and checkpoints are available at [https://github.com/tj12323/GeoPurify](https://github.com/tj12323/GeoPurify).",
    comment: null,
    githubRepo: "https://github.com/tj12323/GeoPurify",
    projectPage: null,
  },
  {
    id: "2512.02965 (scheme typed twice)",
    abstract: "Code is available at https://githubhttps://github.com/YuhanChen2024/UltraFast-LiNET",
    comment: null,
    githubRepo: "https://github.com/YuhanChen2024/UltraFast-LiNET",
    projectPage: null,
  },
  {
    id: "2503.18420 (both in the comment, glued after colons)",
    abstract: "The extensive experiments validate that PanoDecouple surpasses existing methods both in distortion and visual metrics.",
    comment: "CVPR2025. Project page:https://isee-laboratory.github.io/PanoDecouple/ Code:https://github.com/iSEE-Laboratory/PanoDecouple/",
    githubRepo: "https://github.com/iSEE-Laboratory/PanoDecouple",
    projectPage: "https://isee-laboratory.github.io/PanoDecouple/",
  },
  {
    id: "2503.13424 (repo in abstract, page in comment)",
    abstract: "Code is available at https://github.com/Intern-Nexus/Infinite-Mobility",
    comment: "Project page: https://infinite-mobility.github.io 10 pages,12 figures",
    githubRepo: "https://github.com/Intern-Nexus/Infinite-Mobility",
    projectPage: "https://infinite-mobility.github.io",
  },
  {
    id: "2506.23270 (bare github.com glued to the previous word)",
    abstract: "The code is available atgithub.com/xmed-lab/TAM.",
    comment: "ICCV2025 Accepted",
    githubRepo: "https://github.com/xmed-lab/TAM",
    projectPage: null,
  },
  {
    id: "2503.13477 (scheme followed by a space; no github)",
    abstract: "Code: https:// anonymous.4open.science/r/Bone-Loss-Keypoint-Detection-Code. Dataset: https://bit.ly/4hJ3aE7.",
    comment: "31 pages, 7 tables, 5 figures, 3 equations, journal paper submitted to Computers in Biology and Medicine",
    githubRepo: null,
    projectPage: "https://anonymous.4open.science/r/Bone-Loss-Keypoint-Detection-Code",
  },
  {
    id: "2507.01636 (doi.org is never a project page)",
    abstract: "",
    comment:
      "Published in Digital Signal Processing, Volume 141, 2023. DOI: https://doi.org/10.1016/j.dsp.2023.104159 12 pages, 8 figures. Code and data available at: https://github.com/G-Alipoor/kernel-rls-dictionary-learning",
    githubRepo: "https://github.com/G-Alipoor/kernel-rls-dictionary-learning",
    projectPage: null,
  },
];

describe("extractLinks on real arXiv abstracts", () => {
  for (const c of REAL) {
    it(c.id, () => {
      assert.deepEqual(extractLinks(c.abstract, c.comment), { githubRepo: c.githubRepo, projectPage: c.projectPage });
    });
  }
});

describe("extractLinks edge cases", () => {
  it("finds nothing in text without links", () => {
    assert.deepEqual(extractLinks("We study transformers. See Section 3.", null), { githubRepo: null, projectPage: null });
  });
  it("excludes arxiv.org links, and github.com pages that are not repositories", () => {
    const r = extractLinks(
      "Extends https://arxiv.org/abs/2401.00001 and https://export.arxiv.org/pdf/2401.00002; see https://github.com/orgs/acme.",
      null,
    );
    assert.deepEqual(r, { githubRepo: null, projectPage: null });
  });
  it("strips blob paths, query strings and unbalanced brackets", () => {
    assert.equal(
      extractLinks("(code: https://github.com/a-b/c.d/blob/main/README.md?plain=1)", null).githubRepo,
      "https://github.com/a-b/c.d",
    );
  });
  it("keeps balanced parentheses inside a project URL", () => {
    assert.equal(extractLinks("Page: https://example.org/wiki/Foo_(bar).", null).projectPage, "https://example.org/wiki/Foo_(bar)");
  });
  it("does not take a github.io page for the repository", () => {
    const r = extractLinks("Code: https://acme.github.io/tool", "https://github.com/acme/tool.git");
    assert.deepEqual(r, { githubRepo: "https://github.com/acme/tool", projectPage: "https://acme.github.io/tool" });
  });
});

describe("normaliseGithubRepo", () => {
  it("normalises repository links and rejects the rest", () => {
    assert.equal(normaliseGithubRepo("http://www.github.com/Owner/Repo.git"), "https://github.com/Owner/Repo");
    assert.equal(normaliseGithubRepo("https://github.com/owner/repo/tree/main/src"), "https://github.com/owner/repo");
    assert.equal(normaliseGithubRepo("https://github.com/owner"), null);
    assert.equal(normaliseGithubRepo("https://github.com/topics/llm"), null);
    assert.equal(normaliseGithubRepo("https://gitlab.com/owner/repo"), null);
    assert.equal(normaliseGithubRepo("not a url"), null);
  });
});
