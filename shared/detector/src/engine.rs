//! The compiled detector and the scan pipeline:
//! prefilter → one-pass multi-pattern match → validate → context score → allowlist →
//! threshold and overlap resolution. Owns compilation of rules into matchers; never does I/O
//! and never puts matched text into anything it returns.

use std::cell::Cell;
use std::collections::HashSet;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind as AcMatchKind};
use hmac::{Hmac, Mac};
use regex_automata::{Input, meta, util::syntax};
use serde::Serialize;
use sha2::Sha256;

use crate::context::ContextMatcher;
use crate::entity::{Entity, RuleId};
use crate::error::{BuildError, BuildErrorKind};
use crate::person::{self, Cue, Gazetteer};
use crate::policy::{Mode, Policy};
use crate::shape::{ALNUM_ID_PATTERN, NumView, digit_groups, find_number};
use crate::spec::{DEFAULT_CONTEXT_BOOST, RuleSpec, builtin_catalog};
use crate::text::{ceil_boundary, floor_boundary, normalize_value, one_slip, tail_of};
use crate::validate::{Strength, Validator, Verdict};

/// Default policy threshold: scores at or above it are reported.
pub const DEFAULT_THRESHOLD: f32 = 0.5;
/// Key used for allowlist hashes when the caller supplies none (`dlp allowlist hash` uses it
/// too). Deployments pass their own secret key to [`Detector::from_policy_with_key`].
pub const DEFAULT_ALLOWLIST_KEY: &[u8] = b"dlp-allowlist-v1";

/// Context window before / after a value, in bytes.
const WINDOW_BEFORE: usize = 48;
const WINDOW_AFTER: usize = 32;
/// Bytes at the end of the previous message that [`Detector::scan_after`] reads as context
/// (a question with its context words: "Could you confirm the date of birth on the account?").
pub const BEFORE_TAIL: usize = 160;
/// Most context words of the previous message read for a reply (each costs a scan of it).
const MAX_LEADS: usize = 6;
/// Weight of a context word after the value relative to one before it.
const AFTER_FACTOR: f32 = 0.6;
/// How far past a rejected pattern match a digit run in it may go on.
const RUN_REACH: usize = 32;
/// How far past a digit run a pattern that starts inside it may reach (a line of an address).
const LINE_REACH: usize = 160;
/// Score factor when the nearest preceding cue is an anti-context word.
const ANTI_FACTOR: f32 = 0.3;
/// An anti-context word further before the value than this belongs to another clause ("I did
/// an online order but didn't get any message on my registered (904)544-0910").
const ANTI_WINDOW: usize = 32;

/// A detected value: where it is, what it is, which rule, how sure. Never the text itself.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub entity: Entity,
    pub rule_id: RuleId,
    /// Byte offsets into the scanned UTF-8 text, always on char boundaries.
    pub start: usize,
    pub end: usize,
    /// 0..=1; see `docs/detector.md` ("Scores").
    pub score: f32,
    /// Reported only because of the message before the text ([`Detector::scan_after`]: a
    /// bare "078051120" after "What is your SSN?"), so a reviewer can tell why a value with
    /// no label of its own was flagged. Always false from [`Detector::scan`]; left out of
    /// JSON when false.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub from_message_before: bool,
}

/// Where a rule comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleSource {
    Builtin,
    Policy,
}

/// Catalog entry as listed by `dlp rules`.
#[derive(Clone, Debug, Serialize)]
pub struct RuleInfo {
    pub id: RuleId,
    pub entity: Entity,
    /// Validator name as written in the rule (`none` when absent).
    pub validator: String,
    pub description: String,
    pub source: RuleSource,
    /// The rule document (for the examples test and `dlp rules --format json`).
    #[serde(skip)]
    pub spec: RuleSpec,
}

/// A pipeline stage, for explanations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Prefilter,
    Match,
    Validate,
    Context,
    Allowlist,
    Threshold,
    Overlap,
}

/// One stage outcome of an explained candidate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StageOutcome {
    pub stage: Stage,
    pub passed: bool,
    /// Rule vocabulary only (validator names, keywords, numbers), never scanned text.
    pub detail: String,
}

/// Why a candidate was (or was not) reported.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    pub entity: Entity,
    pub rule_id: RuleId,
    pub start: usize,
    pub end: usize,
    pub validator: String,
    pub stages: Vec<StageOutcome>,
    /// Context words of the rule seen near the value (rule vocabulary, not text).
    pub context_words: Vec<String>,
    pub anti_context_words: Vec<String>,
    /// Score from the validator stage (form strength), before context.
    pub score_before: f32,
    /// Score after context (and allowlist).
    pub score_after: f32,
    pub reported: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Pattern,
    Number,
    AlnumId,
    Person,
    PostcodeTail,
    AfterCue,
    SpelledEmail,
}

struct Compiled {
    info: RuleInfo,
    validator: Validator,
    score: f32,
    weak: f32,
    boost: f32,
    threshold: f32,
    /// Rescan the validated value for more specific rules (generic assignments).
    container: bool,
    /// The rule has context or anti-context words (else the context stage is skipped).
    has_context: bool,
}

/// A shared shape whose matches are classified by several rules.
#[derive(Clone, Copy)]
enum Shape {
    Number,
    AlnumId,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    Rule(usize),
    Number,
    AlnumId,
}

/// Context words, where they occur, and which rules they speak for.
struct ContextIndex {
    matcher: ContextMatcher,
    words: Vec<String>,
    /// For each word: (rule index, positive?)
    links: Vec<Vec<(u32, bool)>>,
    /// For each word: the rules below [`MASK_RULES`] it is a context (anti-context) word of,
    /// as bits; `links` answers for the others.
    pos_mask: Vec<u64>,
    neg_mask: Vec<u64>,
    /// For each word: it names no kind of value by itself ("number is"), so an anti-context
    /// word right before it ("order number is") makes it that word's context.
    generic: Vec<bool>,
    /// For each word: the plural of another context word ("phones"), which speaks for every
    /// value after it, so no value claims it.
    plural: Vec<bool>,
}

/// The context hits near one value: `hits[first..last]`, and the rules (below
/// [`MASK_RULES`]) any of them is a context or anti-context word of.
#[derive(Clone, Copy)]
struct Window {
    first: usize,
    last: usize,
    rules: u64,
}

/// From this length on a text is searched with prebuilt substring searchers rather than one
/// memchr pass over its 'a's (chat messages are shorter).
const LONG_TEXT: usize = 512;

/// Rules whose context links and claims are kept as bits of a `u64`.
const MASK_RULES: usize = 64;

impl ContextIndex {
    fn new(words: Vec<String>, links: Vec<Vec<(u32, bool)>>) -> ContextIndex {
        let mask = |pos: bool| -> Vec<u64> {
            links
                .iter()
                .map(|l| {
                    l.iter()
                        .filter(|&&(r, p)| p == pos && (r as usize) < MASK_RULES)
                        .fold(0u64, |m, &(r, _)| m | 1 << r)
                })
                .collect()
        };
        let (pos_mask, neg_mask) = (mask(true), mask(false));
        let generic = words.iter().map(|w| w.starts_with("number")).collect();
        let plural = words
            .iter()
            .map(|w| {
                w.strip_suffix('s').is_some_and(|one| {
                    !one.ends_with('s') && words.iter().any(|x| x.eq_ignore_ascii_case(one))
                })
            })
            .collect();
        ContextIndex {
            matcher: ContextMatcher::new(&words),
            generic,
            plural,
            words,
            links,
            pos_mask,
            neg_mask,
        }
    }

    /// Whether word `w` is a context word (`.0`) and an anti-context word (`.1`) of rule `ri`.
    #[inline]
    fn linked(&self, w: u32, ri: usize) -> (bool, bool) {
        let w = w as usize;
        if ri < MASK_RULES {
            let bit = 1u64 << ri;
            (self.pos_mask[w] & bit != 0, self.neg_mask[w] & bit != 0)
        } else {
            let l = &self.links[w];
            (
                l.contains(&(ri as u32, true)),
                l.contains(&(ri as u32, false)),
            )
        }
    }
}

/// The compiled rule set. Build once per process; `Send + Sync`, shared read-only.
pub struct Detector {
    rules: Vec<Compiled>,
    main: Option<(meta::Regex, Vec<Target>)>,
    custom: Option<(meta::Regex, Vec<usize>)>,
    number_rules: Vec<usize>,
    alnum_rules: Vec<usize>,
    person_rule: Option<usize>,
    /// The European-address rule, found at ", City POSTCODE" by a byte scan.
    postcode_rule: Option<usize>,
    /// Built-in rules whose values are read right after one of their context words (partial
    /// birth dates, lower-case street addresses, national passport layouts).
    cue_rules: Vec<usize>,
    /// Per context word: it is a context word of one of `cue_rules`.
    cue_words: Vec<bool>,
    /// The built-in rule for email addresses spelled out ("john at gmail dot com").
    spelled_email_rule: Option<usize>,
    /// The after-cue rule for lower-case street addresses, also read where a line starts
    /// with a digit and after "at".
    lower_street_rule: Option<usize>,
    /// Per rule: its entity is one a stated rule (`address-stated`, `phone-stated`) reports.
    of_stated: Vec<bool>,
    /// " at", "[at", "(at", "ame" (one packed SIMD search): where a long text's spelled-out
    /// emails and lower-case names may start.
    a_finder: Option<aho_corasick::packed::Searcher>,
    keywords: KeywordFilter,
    context: ContextIndex,
    names: Gazetteer,
    cue_index: person::CueIndex,
    allow_key: Vec<u8>,
    allow: HashSet<[u8; 32]>,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detector")
            .field("rules", &self.rules.len())
            .field("allowlist", &self.allow.len())
            .finish()
    }
}

#[derive(Clone)]
struct Cand {
    rule: usize,
    start: usize,
    end: usize,
    base: f32,
    score: f32,
    ctx: Option<(u32, usize)>,
    /// Index of the context hit that boosted this candidate (see `CtxCache::claims`).
    ctx_hit: Option<usize>,
    anti: Option<u32>,
}

/// Explain sink: collects every candidate, including those that failed a stage.
type Trace = Vec<Explanation>;

fn regex_builder() -> meta::Builder {
    let mut b = meta::Regex::builder();
    b.syntax(syntax::Config::new().unicode(true).utf8(true))
        // Literal prefilters and the one-pass/backtracking engines cost build time (cold
        // starts) and buy nothing for this many patterns; the lazy DFA does the work.
        .configure(
            meta::Config::new()
                .match_kind(regex_automata::MatchKind::LeftmostFirst)
                .auto_prefilter(false)
                .onepass(false)
                .backtrack(false)
                // A fully compiled DFA is built eagerly for small regexes (the digit-run
                // rescan): build time on every cold start for a rarely used fallback.
                .dfa(false)
                // Dense chat keeps many DFA states alive; a larger cache avoids rebuilding them.
                .hybrid_cache_capacity(8 * (1 << 20)),
        );
    b
}

impl Detector {
    /// The built-in catalog at the default threshold.
    pub fn builtin() -> Result<Detector, BuildError> {
        Detector::from_policy(&Policy::default())
    }

    /// Built-in catalog plus the policy's custom rules, allowlist, thresholds and modes (rules
    /// of entities whose mode is `ignore` are left out), allowlist hashed with
    /// [`DEFAULT_ALLOWLIST_KEY`].
    pub fn from_policy(policy: &Policy) -> Result<Detector, BuildError> {
        Detector::from_policy_with_key(policy, DEFAULT_ALLOWLIST_KEY)
    }

    /// As [`Detector::from_policy`], with the HMAC key the policy's allowlist hashes were made with.
    pub fn from_policy_with_key(
        policy: &Policy,
        allowlist_key: &[u8],
    ) -> Result<Detector, BuildError> {
        let (builtin, number_anti) = builtin_catalog()?;
        let mut specs: Vec<(RuleSpec, RuleSource)> = builtin
            .into_iter()
            .map(|s| (s, RuleSource::Builtin))
            .collect();
        specs.extend(
            policy
                .rules
                .iter()
                .cloned()
                .map(|s| (s, RuleSource::Policy)),
        );

        let mut seen = HashSet::new();
        let mut rules = Vec::new();
        let mut main_pats: Vec<String> = Vec::new();
        let mut main_targets = Vec::new();
        let mut main_ids: Vec<String> = Vec::new();
        let mut custom_pats: Vec<String> = Vec::new();
        let mut custom_targets = Vec::new();
        let mut number_rules = Vec::new();
        let mut alnum_rules = Vec::new();
        let mut person_rule = None;
        let mut postcode_rule = None;
        let mut cue_rules = Vec::new();
        let mut spelled_email_rule = None;
        for (spec, source) in specs {
            spec.check()?;
            if !seen.insert(spec.id.clone()) {
                return Err(BuildError::new(spec.id, BuildErrorKind::Duplicate));
            }
            let entity = Entity::new(&spec.entity);
            if policy.mode_for(&entity) == Mode::Ignore {
                continue;
            }
            let validator = Validator::parse(spec.validator.as_deref()).ok_or_else(|| {
                BuildError::new(
                    spec.id.clone(),
                    BuildErrorKind::UnknownValidator(spec.validator.clone().unwrap_or_default()),
                )
            })?;
            let kind = match spec.shape.as_deref() {
                None => Kind::Pattern,
                Some("number") => Kind::Number,
                Some("alnum-id") => Kind::AlnumId,
                Some("person") if source == RuleSource::Builtin => Kind::Person,
                Some("postcode-tail") if source == RuleSource::Builtin => Kind::PostcodeTail,
                Some("after-cue") if source == RuleSource::Builtin => Kind::AfterCue,
                Some("spelled-email") if source == RuleSource::Builtin => Kind::SpelledEmail,
                Some(other) => {
                    return Err(BuildError::new(
                        spec.id,
                        BuildErrorKind::UnknownShape(other.to_owned()),
                    ));
                }
            };
            if kind == Kind::Number && !(validator.is_numeric() || validator == Validator::None) {
                return Err(BuildError::new(
                    spec.id,
                    BuildErrorKind::UnknownValidator(format!(
                        "{} (not a digit validator)",
                        spec.validator.unwrap_or_default()
                    )),
                ));
            }
            let idx = rules.len();
            match kind {
                Kind::Pattern => {
                    let pat = spec.pattern.clone().unwrap_or_default();
                    if source == RuleSource::Builtin {
                        // Built-in patterns compile (the tests build the catalog); compiling
                        // each alone as well would double the cold-start cost. A failure of
                        // the combined build is attributed below.
                        main_pats.push(pat);
                        main_targets.push(Target::Rule(idx));
                        main_ids.push(spec.id.clone());
                    } else {
                        // Compile alone first so that a bad pattern is reported against its rule.
                        regex_builder().build(&pat).map_err(|e| {
                            BuildError::new(spec.id.clone(), BuildErrorKind::Pattern(e.to_string()))
                        })?;
                        custom_pats.push(pat);
                        custom_targets.push(idx);
                    }
                }
                Kind::Number => number_rules.push(idx),
                Kind::AlnumId => alnum_rules.push(idx),
                Kind::Person => person_rule = Some(idx),
                Kind::PostcodeTail => postcode_rule = Some(idx),
                Kind::AfterCue => cue_rules.push(idx),
                Kind::SpelledEmail => spelled_email_rule = Some(idx),
            }
            let threshold = policy.threshold_for(&entity);
            let mut anti = spec.anti_context.clone();
            if kind == Kind::Number || kind == Kind::AlnumId {
                anti.extend(number_anti.iter().cloned());
            }
            let mut spec = spec;
            spec.anti_context = anti;
            rules.push(Compiled {
                validator,

                score: spec.score,
                weak: spec.weak_score.unwrap_or((spec.score - 0.3).max(0.0)),
                boost: spec.context_boost.unwrap_or(DEFAULT_CONTEXT_BOOST),
                threshold,
                container: matches!(validator, Validator::AssignmentEntropy(_)),
                has_context: !(spec.context.is_empty() && spec.anti_context.is_empty()),
                info: RuleInfo {
                    id: RuleId::new(spec.id.clone()),
                    entity,
                    validator: spec.validator.clone().unwrap_or_else(|| "none".into()),
                    description: spec.description.clone(),
                    source,
                    spec,
                },
            });
        }
        if !alnum_rules.is_empty() {
            main_pats.push(ALNUM_ID_PATTERN.to_owned());
            main_targets.push(Target::AlnumId);
        }
        let matcher_err = |e: &dyn std::fmt::Display| {
            BuildError::new("<matcher>", BuildErrorKind::Matcher(e.to_string()))
        };
        let main = if main_pats.is_empty() {
            None
        } else {
            let re = regex_builder().build_many(&main_pats).map_err(|e| {
                // Name the rule whose pattern fails alone, if one does.
                main_pats
                    .iter()
                    .zip(&main_ids)
                    .find_map(|(p, id)| {
                        regex_builder().build(p).err().map(|pe| {
                            BuildError::new(id.clone(), BuildErrorKind::Pattern(pe.to_string()))
                        })
                    })
                    .unwrap_or_else(|| matcher_err(&e))
            })?;
            Some((re, main_targets))
        };
        let custom = if custom_pats.is_empty() {
            None
        } else {
            Some((
                regex_builder()
                    .build_many(&custom_pats)
                    .map_err(|e| matcher_err(&e))?,
                custom_targets,
            ))
        };

        // Prefilter keywords: rule keywords, then PERSON cues.
        let mut kw_pats: Vec<String> = Vec::new();
        for r in &rules {
            for k in &r.info.spec.keywords {
                kw_pats.push(k.to_ascii_lowercase());
            }
        }
        let keywords = KeywordFilter::build(&kw_pats).map_err(|e| matcher_err(&e))?;

        // Context automaton over every rule's context and anti-context words.
        let mut words: Vec<String> = Vec::new();
        let mut links: Vec<Vec<(u32, bool)>> = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            for (list, pos) in [
                (&r.info.spec.context, true),
                (&r.info.spec.anti_context, false),
            ] {
                for w in list {
                    let w = w.to_ascii_lowercase();
                    let at = match words.iter().position(|x| *x == w) {
                        Some(p) => p,
                        None => {
                            words.push(w);
                            links.push(Vec::new());
                            words.len() - 1
                        }
                    };
                    if !links[at].contains(&(i as u32, pos)) {
                        links[at].push((i as u32, pos));
                    }
                }
            }
        }

        let mut allow = HashSet::new();
        for (i, h) in policy.allowlist.values_sha256.iter().enumerate() {
            let mut b = [0u8; 32];
            hex::decode_to_slice(h.trim(), &mut b).map_err(|_| {
                BuildError::new(
                    "<allowlist>",
                    BuildErrorKind::Matcher(format!(
                        "allowlist.values_sha256[{i}] is not 64 hex digits"
                    )),
                )
            })?;
            allow.insert(b);
        }
        crate::address::init();
        let context = ContextIndex::new(words, links);
        // None where the CPU has no SIMD for it: every text takes the memchr pass then.
        let a_finder = aho_corasick::packed::Config::new()
            .builder()
            .extend([" at", "[at", "(at", "ame"])
            .build();
        let lower_street_rule = cue_rules
            .iter()
            .copied()
            .find(|&ri| rules[ri].validator == Validator::LowerStreetAddress);
        let cue_words = (0..context.words.len() as u32)
            .map(|w| cue_rules.iter().any(|&ri| context.linked(w, ri).0))
            .collect();

        let stated: Vec<&Entity> = rules
            .iter()
            .filter(|r| r.validator.is_stated())
            .map(|r| &r.info.entity)
            .collect();
        let of_stated = rules
            .iter()
            .map(|r| stated.contains(&&r.info.entity))
            .collect();
        let det = Detector {
            of_stated,
            rules,
            main,
            custom,
            number_rules,
            alnum_rules,
            person_rule,
            postcode_rule,
            cue_rules,
            cue_words,
            spelled_email_rule,
            lower_street_rule,
            a_finder,
            keywords,
            context,
            names: Gazetteer::new(),
            cue_index: person::cue_index(),
            allow_key: allowlist_key.to_vec(),
            allow,
        };
        det.check_custom_examples()?;
        Ok(det)
    }

    /// Custom rules that carry examples are checked at build time, so a policy cannot ship a
    /// rule that misses its own positives.
    fn check_custom_examples(&self) -> Result<(), BuildError> {
        for r in self
            .rules
            .iter()
            .filter(|r| r.info.source == RuleSource::Policy)
        {
            let id = r.info.id.as_str();
            for (i, ex) in r.info.spec.examples.positive.iter().enumerate() {
                if !self.scan(ex).iter().any(|f| f.rule_id.as_str() == id) {
                    return Err(BuildError::new(id, BuildErrorKind::PositiveExample(i)));
                }
            }
            for (i, ex) in r.info.spec.examples.negative.iter().enumerate() {
                if self.scan(ex).iter().any(|f| f.rule_id.as_str() == id) {
                    return Err(BuildError::new(id, BuildErrorKind::NegativeExample(i)));
                }
            }
        }
        Ok(())
    }

    /// The catalog: built-in rules then policy rules (rules of ignored entities left out).
    pub fn rules(&self) -> impl Iterator<Item = &RuleInfo> {
        self.rules.iter().map(|r| &r.info)
    }

    /// HMAC-SHA256 of a value's normalised form (see [`normalize_value`]) under this
    /// detector's allowlist key, as hex: the form `allowlist.values_sha256` entries take.
    pub fn allowlist_hash(&self, value: &str) -> String {
        allowlist_hash(&self.allow_key, value)
    }

    /// Findings at or above their entity's threshold, one per value, sorted by start.
    pub fn scan(&self, text: &str) -> Vec<Finding> {
        self.scan_inner(text, false).0
    }

    /// [`Detector::scan`], and whether the text starts with a value that a context word said
    /// just before it could report: a value that passed its validator, stayed under its
    /// threshold for want of a context word and has no anti-context word, within the context
    /// window of the text's start. A reply ("078051120", "03/15/1987") to a question
    /// ("What is your SSN?") is such a text; the caller then fetches the question and calls
    /// [`Detector::scan_after`].
    pub fn scan_needing_context(&self, text: &str) -> (Vec<Finding>, bool) {
        self.scan_inner(text, true)
    }

    /// The findings of `text`, a reply to `before` (the conversation's previous message):
    /// those of `text` alone, and the values at its start that the question at the end of
    /// `before` makes reportable. Each context word of the last [`BEFORE_TAIL`] bytes of
    /// `before` (the longest where words nest: "social security number", not "number") is
    /// read as if it stood on the line above `text`, one at a time (at most six, in their
    /// order, the generic ones such as "number" last). Where they disagree on a value, the
    /// most specific rule names it ("the SSN on the account?" gives an SSN, "the routing
    /// number for the direct deposit?" a routing number), then the earlier word. Then all of
    /// them together, in their order, for values no word alone reads (a reply with a value
    /// for each: "routing + account." then "305396079 / 438949159"). A reply to a
    /// question for a name ([`person::name_question`]) that is a name is one. `before` only
    /// adds findings that overlap none of `text`'s own (each marked
    /// [`Finding::from_message_before`]), never removes or rescores one, and nothing in
    /// `before` is reported. `before` is read only when [`Detector::scan_needing_context`]
    /// says `text` is worth it, as the service reads it: what this returns is what the
    /// service finds.
    pub fn scan_after(&self, before: &str, text: &str) -> Vec<Finding> {
        let (found, needs) = self.scan_needing_context(text);
        if !needs {
            return found;
        }
        self.read_after(before, text, found)
    }

    /// [`Detector::scan_after`] past the gate: `found` are `text`'s own findings.
    fn read_after(&self, before: &str, text: &str, mut found: Vec<Finding>) -> Vec<Finding> {
        let tail = tail_of(before, BEFORE_TAIL);
        if tail.is_empty() {
            return found;
        }
        let overlaps = |found: &[Finding], f: &Finding| {
            found.iter().any(|g| g.start < f.end && f.start < g.end)
        };
        // "What's your full name?" then "Jane Doe": the reply's first line is the name.
        if let Some(mut f) = self
            .answer_name(text)
            .filter(|_| person::name_question(tail))
            && !overlaps(&found, &f)
        {
            f.from_message_before = true;
            found.push(f);
        }
        let leads = self.question_words(tail);
        let mut joined = String::with_capacity(64 + text.len());
        // (together, prior, lead, finding): what each word alone would make of the reply,
        // then all of them in the question's order, which only adds values no word alone
        // reads: a reply with two values answers a question with two words in turn
        // ("routing + account?" then "305396079 / 438949159": the first word alone reads
        // only the first value, and the second word's use by the first value keeps it from
        // the second).
        let mut read: Vec<(bool, f32, usize, Finding)> = Vec::new();
        let leads: Vec<&str> = leads.iter().take(MAX_LEADS).copied().collect();
        let all = (leads.len() > 1).then(|| leads.join(" "));
        for (k, lead) in leads.iter().copied().chain(all.as_deref()).enumerate() {
            joined.clear();
            joined.push_str(lead);
            joined.push('\n');
            let off = joined.len();
            joined.push_str(text);
            for mut f in self.scan(&joined) {
                if f.start < off {
                    continue;
                }
                f.start -= off;
                f.end -= off;
                f.from_message_before = true;
                let prior = self
                    .rules
                    .iter()
                    .find(|r| r.info.id == f.rule_id)
                    .map_or(0.0, |r| r.score);
                read.push((k == leads.len(), prior, k, f));
            }
        }
        // Where the words disagree on a value, the most specific rule names it (the highest
        // score before context: "the SSN on the account?" gives an SSN, not an account
        // number), then the earlier word.
        read.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
        for (_, _, _, f) in read {
            if !overlaps(&found, &f) {
                found.push(f);
            }
        }
        found.sort_by_key(|f| (f.start, f.end));
        found
    }

    /// The context words of `tail` that [`Detector::scan_after`] reads before a reply: those
    /// of some rule (anti-context words alone make nothing reportable), the longest where
    /// words nest ("social security number", not also "security number" and "number"), in
    /// text order with the generic ones ("number is") last. A word of five letters or more
    /// that is one slip from a single-word context word of the same first letter (a letter
    /// left out, added, changed or two swapped: "pasport", "rounting", "brith") reads as
    /// that word: agents type questions live.
    fn question_words<'a>(&'a self, tail: &'a str) -> Vec<&'a str> {
        let mut hits = Vec::new();
        self.context.matcher.find(tail, &mut hits);
        hits.sort_by_key(|&(s, e, _)| (s, std::cmp::Reverse(e)));
        let speaks = |w: usize| self.context.links[w].iter().any(|&(_, pos)| pos);
        // (generic, start, word)
        let mut leads: Vec<(bool, usize, &str)> = Vec::new();
        let mut reach = 0;
        // End of the last word that speaks for no rule (an anti-context word): a generic word
        // right after it is its ("the tracking number", as the scan qualifies it).
        let mut anti_end: Option<usize> = None;
        for &(s, e, w) in &hits {
            if e <= reach {
                continue; // inside a longer word
            }
            reach = e;
            let generic = self.context.generic[w as usize];
            if !speaks(w as usize) {
                anti_end = Some(e);
            } else if !(generic && anti_end.is_some_and(|x| x <= s && s - x <= 2)) {
                leads.push((generic, s, &tail[s..e]));
            }
        }
        let b = tail.as_bytes();
        let mut at = 0;
        while at < b.len() {
            if !b[at].is_ascii_alphabetic() || (at > 0 && b[at - 1].is_ascii_alphanumeric()) {
                at += 1;
                continue;
            }
            let end = at
                + b[at..]
                    .iter()
                    .take_while(|x| x.is_ascii_alphabetic())
                    .count();
            let token = &b[at..end];
            let known = hits.iter().any(|&(s, e, _)| s < end && at < e);
            if !known && token.len() >= 5 && b.get(end).is_none_or(|x| !x.is_ascii_alphanumeric()) {
                let near = self.context.words.iter().enumerate().find(|&(w, word)| {
                    let wb = word.as_bytes();
                    wb.len() >= 5
                        && wb.iter().all(u8::is_ascii_alphabetic)
                        && wb[0].eq_ignore_ascii_case(&token[0])
                        && one_slip(token, wb)
                        && speaks(w)
                });
                if let Some((w, word)) = near {
                    leads.push((self.context.generic[w], at, word.as_str()));
                }
            }
            at = end;
        }
        // Non-generic words first, each group in text order.
        leads.sort_by_key(|l| (l.0, l.1));
        leads.into_iter().map(|(_, _, w)| w).collect()
    }

    fn scan_inner(&self, text: &str, need: bool) -> (Vec<Finding>, bool) {
        // The thread's buffers from its last scan (taken, so a nested scan would get its own).
        let mut scratch = SCRATCH.with(Cell::take).unwrap_or_default();
        let cands = self.candidates(text, &mut None, &mut scratch);
        let needs = need
            && cands.iter().any(|c| {
                let r = &self.rules[c.rule];
                c.start < WINDOW_BEFORE
                    && c.score < r.threshold
                    && c.anti.is_none()
                    && !r.info.spec.context.is_empty()
            });
        let found = self.resolve(cands, &mut None, &mut scratch);
        if scratch.reusable() {
            SCRATCH.with(|c| c.set(Some(scratch)));
        }
        // A value the question could add is one none of the text's own findings covers.
        let new = |(s, e): (usize, usize)| !found.iter().any(|g| g.start < e && s < g.end);
        let needs = needs
            || need
                && (self
                    .answer_name(text)
                    .is_some_and(|f| new((f.start, f.end)))
                    || self.stated_at_start(text, new));
        (found, needs)
    }

    /// Whether the text starts with a value `new` accepts that a stated rule would read after
    /// its cue (an address or phone number in any country's layout: "Address:\nCalle Mayor 5,
    /// 28013 Madrid"): a question's cue word on the line above may make it one.
    fn stated_at_start(&self, text: &str, new: impl Fn((usize, usize)) -> bool) -> bool {
        self.cue_rules.iter().any(|&ri| {
            let v = self.rules[ri].validator;
            v.is_stated() && v.find_after(text, 0).is_some_and(&new)
        })
    }

    /// The PERSON finding a reply's first line would be if it answered a name question
    /// ([`person::answer_name`]), scored as after a strong cue; none when the PERSON entity is
    /// ignored, the score is under its threshold or the name is allowlisted.
    fn answer_name(&self, text: &str) -> Option<Finding> {
        let ri = self.person_rule?;
        let r = &self.rules[ri];
        let (s, e) = person::answer_name(text, &self.names)?;
        if r.score < r.threshold
            || !self.allow.is_empty()
                && self
                    .allow
                    .contains(&hmac_of(&self.allow_key, &normalize_value(&text[s..e])))
        {
            return None;
        }
        Some(self.finding(ri, s, e, r.score))
    }

    /// The reported form of a value of rule `ri`: its entity and id, the span, the score to
    /// two decimals.
    fn finding(&self, ri: usize, start: usize, end: usize, score: f32) -> Finding {
        let r = &self.rules[ri];
        Finding {
            entity: r.info.entity.clone(),
            rule_id: r.info.id.clone(),
            start,
            end,
            score: (score * 100.0).round() / 100.0,
            from_message_before: false,
        }
    }

    /// Every candidate with the stages it passed: reported findings and those that stopped at
    /// a stage (validator, threshold, allowlist, overlap).
    pub fn explain(&self, text: &str) -> Vec<Explanation> {
        let mut trace = Some(Vec::new());
        let mut scratch = Box::default();
        let cands = self.candidates(text, &mut trace, &mut scratch);
        self.resolve(cands, &mut trace, &mut scratch);
        let mut t = trace.unwrap_or_default();
        t.sort_by_key(|e| (e.start, e.end));
        t
    }

    fn candidates(
        &self,
        text: &str,
        trace: &mut Option<Trace>,
        scratch: &mut Scratch,
    ) -> Vec<Cand> {
        // Capacities from dense chat (about one candidate in 54 bytes, one cue in 100).
        let mut out = std::mem::take(&mut scratch.cands);
        out.clear();
        out.reserve(text.len() / 48);
        let bytes_hit = has_trigger_byte(text.as_bytes());
        // Keywords only matter when no digit or '@' already sends the text to the matcher.
        let kw_hit = !bytes_hit && self.keywords.is_match(text);
        let cues = &mut scratch.cues;
        cues.clear();
        cues.reserve(text.len() / 128);
        if self.person_rule.is_some() {
            person::find_cues(text, &self.cue_index, &self.names, cues);
        }
        let ctx = &mut scratch.ctx;
        ctx.reset();
        if bytes_hit || kw_hit {
            self.match_pass(text, 0, text.len(), ctx, &mut out, trace, 0);
        }
        let postcode = self.postcode_rule.filter(|_| bytes_hit);
        let lines = self.lower_street_rule.filter(|_| bytes_hit);
        if postcode.is_some() || lines.is_some() {
            // memchr for ',' and line breaks (a memmem searcher costs its set-up on every
            // short message): ", City 80975", ", 10115 Berlin", "\n10115 Berlin", and
            // "504 parkwood drive" on a line of its own (a reply to "what is your address?"):
            // sure with a plain suffix; with a rarer one ("36108 dennis overpass"), after an
            // opener ("it's …") or with a remark after its ZIP, a weak reading that an address
            // word near it (or the question before a reply) reports.
            let b = text.as_bytes();
            let line_start =
                |i: usize, ctx: &mut CtxCache, out: &mut Vec<Cand>, trace: &mut Option<Trace>| {
                    if let Some(ri) = lines
                        && b.get(i)
                            .is_some_and(|c| c.is_ascii_digit() || c.is_ascii_alphabetic())
                        && let Some((s, e)) = crate::address::lower_line(text, i)
                    {
                        self.pattern_candidate(text, ri, s, e, ctx, out, trace, 1);
                    }
                };
            line_start(0, ctx, &mut out, trace);
            for p in memchr::memchr2_iter(b',', b'\n', b) {
                if b[p] == b'\n' {
                    line_start(p + 1, ctx, &mut out, trace);
                }
                let Some(ri) = postcode else { continue };
                let (next, after) = if b[p] == b',' && b.get(p + 1) == Some(&b' ') {
                    (b.get(p + 2).copied().unwrap_or(0), p + 2)
                } else if b[p] == b'\n' {
                    (b.get(p + 1).copied().unwrap_or(0), p + 1)
                } else {
                    continue;
                };
                let city_first = b[p] == b','
                    && (next.is_ascii_uppercase() || next >= 0xC0)
                    && crate::address::postcode_ahead(b, after);
                // Checked before it becomes a candidate: these are scan positions, not pattern
                // matches, and --explain would list every line that starts with a digit.
                if (city_first || next.is_ascii_digit())
                    && crate::address::check_intl(text, p).is_some()
                {
                    self.pattern_candidate(text, ri, p, after, ctx, &mut out, trace, 1);
                }
            }
        }
        if bytes_hit && !self.cue_rules.is_empty() {
            // "born in May 1987", "my address is 12 elm st": a value right after one of its
            // rule's context words (every such value has a digit).
            ctx.fill(text, &self.context);
            let mut found: Option<Vec<(usize, usize, usize)>> = None;
            for k in 0..ctx.hits().len() {
                let (_, he, w) = ctx.hits()[k];
                if !self.cue_words[w as usize] {
                    continue;
                }
                for &ri in &self.cue_rules {
                    if !self.context.linked(w, ri).0 {
                        continue;
                    }
                    let v = self.rules[ri].validator;
                    if v.is_stated() {
                        // A stated address or phone number is read where no rule that knows
                        // a layout already found one starting there, and is valid as read.
                        let Some(s) = v.stated_start(text, he) else {
                            continue;
                        };
                        let found = found.get_or_insert_with(|| self.reported_spans(&out));
                        let at = found.partition_point(|&(fs, _, _)| fs <= s);
                        let same = |&(_, _, fr): &(usize, usize, usize)| {
                            self.rules[fr].info.entity == self.rules[ri].info.entity
                        };
                        // A reported value of the entity starting at or running over `s`
                        // (the spans before it are few: those that start at most at `s`).
                        if found[..at].iter().rev().take(4).any(|x| x.1 > s && same(x)) {
                            continue;
                        }
                        if let Some(e) = v.after_cue_end(text, s) {
                            let verdict = Verdict::strong();
                            self.candidate(text, ri, s, e, verdict, ctx, &mut out, trace, 1);
                        }
                    } else if let Some((s, e)) = v.find_after(text, he) {
                        self.pattern_candidate(text, ri, s, e, ctx, &mut out, trace, 1);
                    }
                }
            }
        }
        // The "at" of a spelled-out email ("john dot smith at gmail dot com") and the "name"
        // before a name typed in lower case ("my name is john smith"): a message is short, and
        // one memchr pass over its 'a's costs less than setting up a substring searcher; a long
        // text is searched for " at", "[at", "(at" and "ame" by one prebuilt packed searcher.
        let mut hits = std::mem::take(&mut scratch.names);
        hits.clear();
        if self.spelled_email_rule.is_some() || self.person_rule.is_some() {
            let b = text.as_bytes();
            let mut visit = |a: usize, hits: &mut Vec<person::NameHit>| match b.get(a + 1) {
                Some(b't') if a > 0 && matches!(b[a - 1], b' ' | b'[' | b'(') => {
                    if let Some(ri) = self.spelled_email_rule
                        && let Some((s, e)) = crate::spelled::email_at(text, a, &self.names)
                    {
                        self.pattern_candidate(text, ri, s, e, ctx, &mut out, trace, 1);
                    }
                    // "the new place at 101 main st."
                    if let Some(ri) = self.lower_street_rule
                        && b[a - 1] == b' '
                        && b.get(a + 2) == Some(&b' ')
                        && b.get(a + 3).is_some_and(u8::is_ascii_digit)
                        && let Some((e, true)) = crate::address::lower_read(text, a + 3)
                        // Not again where "live at" already read it.
                        && !out.iter().any(|c| c.rule == ri && c.start == a + 3)
                    {
                        self.pattern_candidate(text, ri, a + 3, e, ctx, &mut out, trace, 1);
                    }
                }
                Some(b'm') if self.person_rule.is_some() && b.get(a + 2) == Some(&b'e') => {
                    person::lower_name_at(text, a, &self.names, hits);
                }
                _ => {}
            };
            match &self.a_finder {
                Some(f) if b.len() >= LONG_TEXT => {
                    for m in f.find_iter(b) {
                        // "ame" starts at its 'a'; " at", "[at", "(at" one byte before.
                        visit(m.start() + usize::from(b[m.start()] != b'a'), &mut hits);
                    }
                }
                _ => {
                    for a in memchr::memchr_iter(b'a', b) {
                        visit(a, &mut hits);
                    }
                }
            }
        }
        if let Some(pi) = self.person_rule {
            // End of the last name found after a cue: a cue-less name inside it is the same
            // name again (cues come in text order, a name's cue before or at its first word).
            let mut cued_end = 0;
            for &(s, e, c) in cues.iter() {
                if c == Cue::Bare && s < cued_end {
                    continue;
                }
                let before = hits.len();
                person::candidates(text, s, e, c, &self.names, &mut hits);
                if c != Cue::Bare
                    && let Some(h) = hits.get(before..).and_then(<[_]>::last)
                {
                    cued_end = cued_end.max(h.end);
                }
            }
            let r = &self.rules[pi];
            // A name reported once is the same name where its words stand alone again.
            let again = person::repeats(text, &hits, &self.names);
            for (s, e, hi) in again {
                let score = if hits[hi].bare {
                    person::BARE_SCORE
                } else {
                    r.score
                };
                let c = Cand {
                    rule: pi,
                    start: s,
                    end: e,
                    base: score,
                    score,
                    ctx: None,
                    ctx_hit: None,
                    anti: None,
                };
                if let Some(t) = trace.as_mut() {
                    t.push(self.explanation(
                        &c,
                        vec![
                            stage(
                                Stage::Prefilter,
                                true,
                                "a word of a name found in this text",
                            ),
                            stage(Stage::Validate, true, "the same word, capitalised, alone"),
                        ],
                    ));
                }
                out.push(c);
            }
            for h in hits.drain(..) {
                let mut score = if h.bare {
                    person::BARE_SCORE
                } else if h.strong {
                    r.score
                } else {
                    r.weak
                };
                if h.first_known && h.last_known && !h.bare {
                    score = (score + 0.05).min(1.0);
                }
                let c = Cand {
                    rule: pi,
                    start: h.start,
                    end: h.end,
                    base: score,
                    score,
                    ctx: None,
                    ctx_hit: None,
                    anti: None,
                };
                if let Some(t) = trace.as_mut() {
                    let (found_by, detail) = if h.bare {
                        (
                            "no cue: gazetteer first name",
                            "capitalised words; first name and surname in the gazetteers"
                                .to_owned(),
                        )
                    } else {
                        (
                            "cue phrase",
                            format!(
                                "cue + capitalised words; first name {} gazetteer, surname {} gazetteer",
                                if h.first_known { "in" } else { "not in" },
                                if h.last_known { "in" } else { "not in" }
                            ),
                        )
                    };
                    t.push(self.explanation(
                        &c,
                        vec![
                            stage(Stage::Prefilter, true, found_by),
                            stage(Stage::Validate, true, &detail),
                        ],
                    ));
                }
                out.push(c);
            }
        }
        scratch.names = hits;
        if let Some((re, targets)) = &self.custom {
            for m in re.find_iter(text) {
                let ri = targets[m.pattern().as_usize()];
                self.pattern_candidate(text, ri, m.start(), m.end(), ctx, &mut out, trace, 1);
            }
        }
        if !self.allow.is_empty() {
            out.retain(|c| {
                let h = hmac_of(&self.allow_key, &normalize_value(&text[c.start..c.end]));
                let keep = !self.allow.contains(&h);
                if !keep && let Some(t) = trace.as_mut() {
                    mark(t, c, Stage::Allowlist, false, "value is allowlisted");
                }
                keep
            });
        }
        out
    }

    /// The one-pass match over `text[from..to]`: the built-in patterns and the alnum-id shape
    /// (one multi-pattern regex) and the digit-run shape (a hand-written scanner), merged in the
    /// order a single leftmost-first regex over all of them reports them, the digit-run shape
    /// last in priority; then each match goes to its validator or classifier.
    #[allow(clippy::too_many_arguments)]
    fn match_pass(
        &self,
        text: &str,
        from: usize,
        to: usize,
        ctx: &mut CtxCache,
        out: &mut Vec<Cand>,
        trace: &mut Option<Trace>,
        depth: u8,
    ) {
        // Matches first (the merge keeps its own cursors), candidates after.
        // The cache's match buffer (a nested pass finds it taken and allocates its own).
        let mut matches = std::mem::take(&mut ctx.matches);
        self.find_matches_into(text, from, to, &mut matches);
        let numbers = !self.number_rules.is_empty();
        for &(s, e, target) in &matches {
            match target {
                Target::Rule(ri) => {
                    let before = out.len();
                    let ok = self.pattern_candidate(text, ri, s, e, ctx, out, trace, depth);
                    if !ok
                        && numbers
                        && out.len() == before
                        && text[s..e].bytes().any(|b| b.is_ascii_digit())
                    {
                        // The pattern took the span but it is not its value: the digits in it may
                        // still be one (a 17-digit account number is no VIN), and the run may
                        // go on past it ("02-64-62-52-37" is no date, "02.64.62.52.37" no IP).
                        let mut at = s;
                        let reach = (e + RUN_REACH).min(text.len());
                        while let Some((ns, ne)) = find_number(text, at, reach)
                            && ns < e
                        {
                            self.classify_number(text, ns, ne, ctx, out, trace);
                            at = ne;
                        }
                    }
                    if !ok
                        && depth == 0
                        && matches!(
                            self.rules[ri].validator,
                            Validator::Ipv6 | Validator::AssignmentEntropy(_) | Validator::Iban
                        )
                        && out[before..]
                            .iter()
                            .all(|c| c.score < self.rules[c.rule].threshold)
                        && text.is_char_boundary(s + 1)
                    {
                        // A rejected IPv6 candidate may hold an IPv4 address ("…:db8::10.0.0.1"),
                        // a rejected assignment a provider's token ("HF_TOKEN=hf_…"), a rejected
                        // IBAN a real one ("NO 44 GB82 WEST …"); nothing sure came of its digits.
                        self.patterns_within(text, s + 1, e, e, ctx, out, trace);
                    }
                    if self.rules[ri].validator == Validator::Icd10
                        && e - s >= 5
                        && out[before..]
                            .iter()
                            .all(|c| c.score < self.rules[c.rule].threshold)
                        && text[s..e].bytes().all(|b| b.is_ascii_alphanumeric())
                    {
                        // "A12345" without clinical context is more likely a member or record id
                        // than a dot-less diagnosis code: the letter+digit rules score it too.
                        self.classify_alnum(text, s, e, ctx, out, trace);
                    }
                    if ok
                        && depth == 0
                        && matches!(self.rules[ri].validator, Validator::AssignmentEntropy(_))
                        && let Some(&Cand {
                            start: vs, end: ve, ..
                        }) = out.last()
                    {
                        // An assigned value may be a provider's token: its own rule scores it
                        // (`aws_secret_access_key = …`, `token: eyJ…`), and overlap resolution
                        // keeps the better of the two.
                        let to = ve.max(e);
                        self.patterns_within(text, vs, to, to, ctx, out, trace);
                    }
                }
                Target::Number => {
                    let before = out.len();
                    self.classify_number(text, s, e, ctx, out, trace);
                    if depth == 0 && !text[s..e].bytes().all(|b| b.is_ascii_digit()) {
                        // '/' ends the run inside a date that its last group begins ("SSN and
                        // DOB: 477-42-7750 5/9/86"): a pattern may reach past the run from there.
                        let b = text.as_bytes();
                        let slash =
                            b.get(e) == Some(&b'/') && b.get(e + 1).is_some_and(u8::is_ascii_digit);
                        if out.len() == before {
                            // No number rule takes the run, and it started before a pattern's
                            // value inside it could: "(192.168.1.1)", "+ 03.15.1987".
                            let until = if slash {
                                floor_boundary(text, e + RUN_REACH)
                            } else {
                                e
                            };
                            self.patterns_within(text, s, e, until, ctx, out, trace);
                        } else if slash {
                            let g = e - b[s..e]
                                .iter()
                                .rev()
                                .take_while(|c| c.is_ascii_digit())
                                .count();
                            let until = floor_boundary(text, e + RUN_REACH);
                            self.patterns_within(text, g, e, until, ctx, out, trace);
                        } else if text[e..].starts_with(' ')
                            && text[e + 1..].starts_with(|c: char| c.is_ascii_uppercase())
                            && crate::address::unit_before(&text[..s])
                            && out[before..]
                                .iter()
                                .all(|c| c.score < self.rules[c.rule].threshold)
                        {
                            // Nothing sure of the run, a unit before it and capitalised words
                            // after it: a street line starts inside it and runs on past it
                            // ("Apt. 732 9973 Nicole Fords", the run being "732 9973").
                            let until = floor_boundary(text, e + LINE_REACH);
                            self.patterns_within(text, s, e, until, ctx, out, trace);
                        }
                    }
                }
                Target::AlnumId => self.classify_alnum(text, s, e, ctx, out, trace),
            }
        }
        if matches.capacity() > ctx.matches.capacity() {
            ctx.matches = matches;
        }
    }

    /// The regex's matches that start inside `text[s..e]` and end by `until` (no digit runs),
    /// validated as usual.
    #[allow(clippy::too_many_arguments)]
    fn patterns_within(
        &self,
        text: &str,
        s: usize,
        e: usize,
        until: usize,
        ctx: &mut CtxCache,
        out: &mut Vec<Cand>,
        trace: &mut Option<Trace>,
    ) {
        let Some((re, targets)) = &self.main else {
            return;
        };
        let mut cur = s;
        while cur < e {
            let Some(m) = re.search(&Input::new(text).range(cur..until)) else {
                break;
            };
            if m.start() >= e {
                break;
            }
            let mut next = m.end();
            match targets[m.pattern().as_usize()] {
                Target::Rule(ri) => {
                    let ok =
                        self.pattern_candidate(text, ri, m.start(), m.end(), ctx, out, trace, 1);
                    if !ok {
                        // A rejected match holds nothing: look again right after its start
                        // ("use_auth_token='hf_…'": 'token=' is no secret, 'hf_…' is).
                        next = ceil_boundary(text, m.start() + 1);
                    }
                }
                Target::AlnumId => self.classify_alnum(text, m.start(), m.end(), ctx, out, trace),
                Target::Number => {}
            }
            cur = next.max(cur + 1);
        }
    }

    /// Successive leftmost-first matches in `text[from..to]`, as one regex of the main
    /// patterns followed by the digit-run shape would give them. From a cursor, the regex's
    /// next match wins when it starts no later than the scanner's (it has priority at the same
    /// start); either side's next match stays valid while it starts at or after the cursor,
    /// and is searched again once the other side's match has moved the cursor past its start.
    #[cfg(test)]
    fn find_matches(&self, text: &str, from: usize, to: usize) -> Vec<(usize, usize, Target)> {
        let mut found = Vec::new();
        self.find_matches_into(text, from, to, &mut found);
        found
    }

    /// [`Detector::find_matches`] into `found` (emptied first).
    fn find_matches_into(
        &self,
        text: &str,
        from: usize,
        to: usize,
        found: &mut Vec<(usize, usize, Target)>,
    ) {
        found.clear();
        found.reserve((to - from) / 64);
        // Next match of each side from the cursor: None = to be searched, Some(None) = no more.
        let mut next_re: Option<Option<(usize, usize, Target)>> = None;
        let mut next_num: Option<Option<(usize, usize)>> = None;
        if self.main.is_none() {
            next_re = Some(None);
        }
        if self.number_rules.is_empty() {
            next_num = Some(None);
        }
        let mut cur = from;
        while cur < to {
            let stale_re = match next_re {
                None => true,
                Some(Some((s, _, _))) => s < cur,
                Some(None) => false,
            };
            if stale_re && let Some((re, targets)) = &self.main {
                let m = re.search(&Input::new(text).range(cur..to));
                next_re = Some(m.map(|m| (m.start(), m.end(), targets[m.pattern().as_usize()])));
            }
            let stale_num = match next_num {
                None => true,
                Some(Some((s, _))) => s < cur,
                Some(None) => false,
            };
            if stale_num {
                next_num = Some(find_number(text, cur, to));
            }
            let m = match (next_re.flatten(), next_num.flatten()) {
                (Some(r), Some(n)) if n.0 < r.0 => (n.0, n.1, Target::Number),
                (Some(r), _) => r,
                (None, Some(n)) => (n.0, n.1, Target::Number),
                (None, None) => break,
            };
            // Every pattern and the digit-run shape match at least one byte.
            cur = m.1.max(cur + 1);
            found.push(m);
        }
    }

    /// Validates one pattern match; returns whether a candidate was produced.
    #[allow(clippy::too_many_arguments)]
    fn pattern_candidate(
        &self,
        text: &str,
        ri: usize,
        s: usize,
        e: usize,
        ctx: &mut CtxCache,
        out: &mut Vec<Cand>,
        trace: &mut Option<Trace>,
        depth: u8,
    ) -> bool {
        let r = &self.rules[ri];
        let v = r.validator.check_text(text, s, e);
        self.candidate(text, ri, s, e, v, ctx, out, trace, depth)
    }

    /// The reported candidates of the stated rules' entities (start, end, rule), by start:
    /// where a stated value would repeat what a rule that knows its layout found.
    fn reported_spans(&self, out: &[Cand]) -> Vec<(usize, usize, usize)> {
        let mut v: Vec<(usize, usize, usize)> = out
            .iter()
            .filter(|c| self.of_stated[c.rule] && c.score >= self.rules[c.rule].threshold)
            .map(|c| (c.start, c.end, c.rule))
            .collect();
        v.sort_unstable_by_key(|x| x.0);
        v
    }

    /// [`Detector::pattern_candidate`] with the validator's verdict `v` on `text[s..e]`.
    #[allow(clippy::too_many_arguments)]
    fn candidate(
        &self,
        text: &str,
        ri: usize,
        s: usize,
        e: usize,
        v: Option<Verdict>,
        ctx: &mut CtxCache,
        out: &mut Vec<Cand>,
        trace: &mut Option<Trace>,
        depth: u8,
    ) -> bool {
        let r = &self.rules[ri];
        let Some(v) = v else {
            if let Some(t) = trace.as_mut() {
                let c = Cand {
                    rule: ri,
                    start: s,
                    end: e,
                    base: 0.0,
                    score: 0.0,
                    ctx: None,
                    ctx_hit: None,
                    anti: None,
                };
                t.push(self.explanation(
                    &c,
                    vec![
                        stage(Stage::Match, true, "pattern"),
                        stage(
                            Stage::Validate,
                            false,
                            &format!("{} failed", r.info.validator),
                        ),
                    ],
                ));
            }
            return false;
        };
        let (vs, ve) = v.span.unwrap_or((s, e));
        let (vs, ve) = (floor_boundary(text, vs), ceil_boundary(text, ve));
        if vs >= ve {
            return false;
        }
        if r.container && depth == 0 {
            // A generic `api_key = …` around a provider token: report the provider rule.
            let mut sub = Vec::new();
            self.match_pass(text, vs, ve, ctx, &mut sub, trace, 1);
            sub.retain(|c| {
                self.rules[c.rule].info.entity == Entity::SECRET && self.rules[c.rule].score >= 0.85
            });
            if !sub.is_empty() {
                out.extend(sub);
                return true;
            }
        }
        let base = match v.strength {
            Strength::Strong => r.score,
            Strength::Weak => r.weak,
        };
        let c = self.score(text, ri, vs, ve, base, ctx);
        if let Some(t) = trace.as_mut() {
            t.push(self.explanation(
                &c,
                vec![
                    stage(Stage::Match, true, "pattern"),
                    stage(
                        Stage::Validate,
                        true,
                        &format!("{} ({:?})", r.info.validator, v.strength).to_lowercase(),
                    ),
                    ctx_stage(&c, &self.context),
                ],
            ));
        }
        ctx.claim(&c, &self.context);
        out.push(c);
        true
    }

    fn classify_alnum(
        &self,
        text: &str,
        s: usize,
        e: usize,
        ctx: &mut CtxCache,
        out: &mut Vec<Cand>,
        trace: &mut Option<Trace>,
    ) {
        let best = self.best_of(
            &self.alnum_rules,
            Shape::AlnumId,
            |r| r.validator.check_text(text, s, e),
            text,
            (s, e),
            ctx,
            trace,
        );
        let sure = best
            .as_ref()
            .is_some_and(|b| b.score >= self.rules[b.rule].threshold);
        let scored = best
            .as_ref()
            .map(|b| self.rules[b.rule].info.entity.clone());
        if let Some(b) = best {
            ctx.claim(&b, &self.context);
            out.push(b);
        }
        // A dashed id no rule is sure of ("SSN-123-45-6789", "DOB-03-15-1987",
        // "TEL-212-555-0187") may be a label glued to a value: its digits are read again as
        // patterns and as one digit run, by the rules of other entities than the one that
        // already scored the id as a whole ("order ORD-2024-55512 insurance" stays no member id).
        let b = text.as_bytes();
        let digits = b[s..e]
            .iter()
            .position(u8::is_ascii_digit)
            .map_or(e, |k| s + k);
        if !sure && b[digits..e].contains(&b'-') && b[e - 1].is_ascii_digit() {
            self.patterns_within(text, digits, e, e, ctx, out, trace);
            let view = NumView::new(&text[digits..e]);
            if view.len >= 7 {
                let rules: Vec<usize> = self
                    .number_rules
                    .iter()
                    .copied()
                    .filter(|&ri| Some(&self.rules[ri].info.entity) != scored.as_ref())
                    .collect();
                let check = |r: &Compiled| r.validator.check_number(&view);
                let run = (digits, e);
                if let Some(c) = self.best_of(&rules, Shape::Number, check, text, run, ctx, trace) {
                    ctx.claim(&c, &self.context);
                    out.push(c);
                }
            }
        }
    }

    fn classify_number(
        &self,
        text: &str,
        s: usize,
        e: usize,
        ctx: &mut CtxCache,
        out: &mut Vec<Cand>,
        trace: &mut Option<Trace>,
    ) {
        // Prices, percentages, times and digit runs glued to letters are not values.
        let before = text[..s].trim_end_matches(' ');
        if before.ends_with(['$', '€', '£', '¥']) {
            return;
        }
        if text[e..].starts_with(|c: char| c == '%' || c.is_ascii_alphabetic() || c == ':')
            && !is_extension(&text[e..])
        {
            return;
        }
        if let Some(c) = self.best_number(text, s, e, ctx, trace) {
            ctx.claim(&c, &self.context);
            out.push(c);
            return;
        }
        // Not one value as a whole: try windows of whole digit groups, longest first.
        let mut groups = Vec::new();
        digit_groups(text, s, e, &mut groups);
        let n = groups.len();
        if !(2..=12).contains(&n) {
            return;
        }
        let uniform = groups
            .iter()
            .all(|g| g.1 - g.0 == groups[0].1 - groups[0].0);
        let mut taken: Vec<(usize, usize)> = Vec::new();
        for len in (1..n).rev() {
            for i in 0..=(n - len) {
                let ws = if i == 0 { s } else { groups[i].0 };
                let we = groups[i + len - 1].1;
                if taken.iter().any(|&(a, b)| ws < b && a < we) {
                    continue;
                }
                if let Some(c) = self.best_number(text, ws, we, ctx, trace) {
                    // A window read as nothing sure leaves its digits to shorter windows
                    // ("phones 052 5552606 074-7111234": the first three groups are no
                    // account number, the first two are a phone) — unless the groups are all
                    // of one length: blocks of one number, of which no part is a value by
                    // itself ("1000 6035 1835 9847 8832" holds no card).
                    if uniform || c.score >= self.rules[c.rule].threshold {
                        taken.push((ws, we));
                        ctx.claim(&c, &self.context);
                    }
                    out.push(c);
                }
            }
        }
    }

    fn best_number(
        &self,
        text: &str,
        s: usize,
        e: usize,
        ctx: &mut CtxCache,
        trace: &mut Option<Trace>,
    ) -> Option<Cand> {
        let view = NumView::new(&text[s..e]);
        if view.len < 7 {
            return None;
        }
        self.best_of(
            &self.number_rules,
            Shape::Number,
            |r| r.validator.check_number(&view),
            text,
            (s, e),
            ctx,
            trace,
        )
    }

    /// The shape stage: every rule of the shape validates the span, is scored, and the best
    /// score wins (ties to the nearest context word, then catalog order).
    #[allow(clippy::too_many_arguments)]
    fn best_of(
        &self,
        rules: &[usize],
        shape: Shape,
        check: impl Fn(&Compiled) -> Option<Verdict>,
        text: &str,
        (s, e): (usize, usize),
        ctx: &mut CtxCache,
        trace: &mut Option<Trace>,
    ) -> Option<Cand> {
        let mut best: Option<Cand> = None;
        let mut win = None;
        for &ri in rules {
            let r = &self.rules[ri];
            let Some(v) = check(r) else {
                continue;
            };
            let base = if v.strength == Strength::Strong {
                r.score
            } else {
                r.weak
            };
            let c = self.score_in(text, ri, s, e, base, ctx, &mut win);
            if let Some(t) = trace.as_mut() {
                let (label, validated) = match shape {
                    Shape::AlnumId => ("shape alnum-id", r.info.validator.clone()),
                    Shape::Number => (
                        "shape number",
                        format!("{} ({:?})", r.info.validator, v.strength).to_lowercase(),
                    ),
                };
                t.push(self.explanation(
                    &c,
                    vec![
                        stage(Stage::Match, true, label),
                        stage(Stage::Validate, true, &validated),
                        ctx_stage(&c, &self.context),
                    ],
                ));
            }
            if better(&c, best.as_ref()) {
                best = Some(c);
            }
        }
        best
    }

    /// Context stage: nearest context word (boost decaying with distance) and anti-context.
    fn score(
        &self,
        text: &str,
        ri: usize,
        s: usize,
        e: usize,
        base: f32,
        ctx: &mut CtxCache,
    ) -> Cand {
        let mut win = None;
        self.score_in(text, ri, s, e, base, ctx, &mut win)
    }

    /// [`Detector::score`] with the value's window of context hits kept in `win` between the
    /// rules that score the same span (a digit run is scored by up to a dozen rules).
    #[allow(clippy::too_many_arguments)]
    fn score_in(
        &self,
        text: &str,
        ri: usize,
        s: usize,
        e: usize,
        base: f32,
        ctx: &mut CtxCache,
        win: &mut Option<Window>,
    ) -> Cand {
        let r = &self.rules[ri];
        let mut c = Cand {
            rule: ri,
            start: s,
            end: e,
            base,
            score: base,
            ctx: None,
            ctx_hit: None,
            anti: None,
        };
        if !r.has_context {
            return c;
        }
        let w = *win.get_or_insert_with(|| {
            ctx.fill(text, &self.context);
            let hits = ctx.hits();
            let lo = s.saturating_sub(WINDOW_BEFORE);
            let hi = e + WINDOW_AFTER;
            // Hits are in end order. The first one ending inside the window: values mostly
            // come in text order, so walk on from the previous window's first hit when that
            // is still before this one, else search. The window ends at the first hit that
            // starts after it.
            let c = ctx.cursor.min(hits.len());
            let first = if c == 0 || hits[c - 1].1 < lo {
                c + hits[c..].iter().take_while(|h| h.1 < lo).count()
            } else {
                hits.partition_point(|h| h.1 < lo)
            };
            ctx.cursor = first;
            let hits = ctx.hits();
            let mut last = first;
            let mut rules = 0u64;
            for h in &hits[first..] {
                if h.0 > hi {
                    break;
                }
                rules |= self.context.pos_mask[h.2 as usize] | self.context.neg_mask[h.2 as usize];
                last += 1;
            }
            Window { first, last, rules }
        });
        if ri < MASK_RULES && w.rules & (1 << ri) == 0 {
            // No word of this rule near the value.
            return c;
        }
        let (first, last) = (w.first, w.last);
        let hits = ctx.hits();
        let mut anti: Option<(u32, usize)> = None;
        let mut best_decay = 0.0f32;
        // End of the last anti-context word seen (hits come in end order): a generic context
        // word it qualifies ("order number is …") speaks for that, not for this rule.
        let mut anti_end: Option<usize> = None;
        for (hi_idx, &(hs, he, w)) in hits.iter().enumerate().take(last).skip(first) {
            let (pos, neg) = self.context.linked(w, ri);
            if !pos && !neg {
                continue;
            }
            let qualified = self.context.generic[w as usize]
                && anti_end.is_some_and(|x| x <= hs && hs - x <= 2);
            if neg {
                anti_end = Some(he);
            }
            // A context word before the value that an earlier value of the same rule already
            // used belongs to that value ("DOB 03/15/1987, meeting 04/02/2024").
            if he <= s && ctx.claimed(hi_idx, ri) {
                continue;
            }
            let (dist, window) = if he <= s {
                (s - he, WINDOW_BEFORE)
            } else if hs >= e {
                (hs - e, WINDOW_AFTER)
            } else {
                continue; // inside the value
            };
            if pos && !qualified {
                // Closer context is stronger evidence: the boost halves across the window.
                // A word after the value more often introduces the next value, so it counts
                // for less than one before it.
                // A label right after the value that ends its line ("9266849811 fax",
                // "476.202.0274 office,") is the value's own, as one before it would be.
                let label = hs >= e
                    && hs - e <= 1
                    && text[he..]
                        .chars()
                        .next()
                        .is_none_or(|c| matches!(c, '\n' | '\r' | ',' | ';' | ')'));
                let side = if he <= s || label { 1.0 } else { AFTER_FACTOR };
                let decay = side * (1.0 - 0.5 * (dist as f32 / window as f32).min(1.0));
                if decay > best_decay {
                    best_decay = decay;
                    c.ctx = Some((w, dist));
                    c.ctx_hit = Some(hi_idx);
                }
            }
            if neg && he <= s && dist <= ANTI_WINDOW && anti.is_none_or(|(_, d)| dist < d) {
                anti = Some((w, dist));
            }
        }
        if c.ctx.is_some() {
            c.score = (c.score + r.boost * best_decay).min(1.0);
        }
        // An anti-context word before the value outweighs a context word as near after it
        // ("order ORD-2024-55512 insurance": the order number is labelled, the insurance
        // word starts what comes next).
        let ctx_after = c.ctx_hit.is_some_and(|h| hits[h].0 >= e);
        if let Some((w, ad)) = anti
            && c.ctx.is_none_or(|(_, d)| ad < d || (ad == d && ctx_after))
        {
            c.score *= ANTI_FACTOR;
            c.anti = Some(w);
        }
        c
    }

    fn resolve(
        &self,
        mut cands: Vec<Cand>,
        trace: &mut Option<Trace>,
        scratch: &mut Scratch,
    ) -> Vec<Finding> {
        cands.retain(|c| {
            let keep = c.score >= self.rules[c.rule].threshold;
            if let Some(t) = trace.as_mut() {
                let th = self.rules[c.rule].threshold;
                mark(
                    t,
                    c,
                    Stage::Threshold,
                    keep,
                    &format!("score {:.2} vs threshold {:.2}", c.score, th),
                );
            }
            keep
        });
        // Overlap resolution is greedy in priority order (higher score, then longer, then
        // catalog order, then earlier). A candidate's fate depends only on the candidates it
        // overlaps, so the greedy runs per cluster of transitively overlapping spans, and a
        // candidate that overlaps nothing (most of them) is kept without sorting anything.
        cands.sort_by_key(|c| (c.start, c.end));
        let kept = &mut scratch.kept;
        kept.clear();
        let cluster = &mut scratch.cluster;
        cluster.clear();
        let mut cluster_end = 0;
        for c in cands.drain(..) {
            if !cluster.is_empty() && c.start >= cluster_end {
                self.resolve_cluster(cluster, kept, trace);
            }
            cluster_end = if cluster.is_empty() {
                c.end
            } else {
                cluster_end.max(c.end)
            };
            cluster.push(c);
        }
        self.resolve_cluster(cluster, kept, trace);
        scratch.cands = cands;
        scratch
            .kept
            .iter()
            .map(|c| self.finding(c.rule, c.start, c.end, c.score))
            .collect()
    }

    /// Keeps, in priority order, each candidate of `cluster` that overlaps no kept one;
    /// appends them to `kept` by start and empties `cluster`.
    fn resolve_cluster(
        &self,
        cluster: &mut Vec<Cand>,
        kept: &mut Vec<Cand>,
        trace: &mut Option<Trace>,
    ) {
        if cluster.len() > 1 {
            cluster.sort_by(|a, b| {
                b.score
                    .total_cmp(&a.score)
                    .then((b.end - b.start).cmp(&(a.end - a.start)))
                    .then(a.rule.cmp(&b.rule))
                    .then(a.start.cmp(&b.start))
            });
        }
        let from = kept.len();
        for c in cluster.drain(..) {
            let overlaps = kept[from..]
                .iter()
                .any(|k| k.start < c.end && c.start < k.end);
            if let Some(t) = trace.as_mut() {
                mark(
                    t,
                    &c,
                    Stage::Overlap,
                    !overlaps,
                    if overlaps {
                        "overlaps a stronger finding"
                    } else {
                        "kept"
                    },
                );
                if !overlaps {
                    for e in t.iter_mut().filter(|e| same(e, &c, &self.rules)) {
                        e.reported = true;
                    }
                }
            }
            if !overlaps {
                kept.push(c);
            }
        }
        kept[from..].sort_by_key(|c| (c.start, c.end));
    }

    fn explanation(&self, c: &Cand, stages: Vec<StageOutcome>) -> Explanation {
        let r = &self.rules[c.rule];
        Explanation {
            entity: r.info.entity.clone(),
            rule_id: r.info.id.clone(),
            start: c.start,
            end: c.end,
            validator: r.info.validator.clone(),
            stages,
            context_words: c
                .ctx
                .map(|(w, _)| self.context.words[w as usize].clone())
                .into_iter()
                .collect(),
            anti_context_words: c
                .anti
                .map(|w| self.context.words[w as usize].clone())
                .into_iter()
                .collect(),
            score_before: (c.base * 100.0).round() / 100.0,
            score_after: (c.score * 100.0).round() / 100.0,
            reported: false,
        }
    }
}

fn same(e: &Explanation, c: &Cand, rules: &[Compiled]) -> bool {
    e.start == c.start
        && e.end == c.end
        && e.rule_id == rules[c.rule].info.id
        && e.stages
            .iter()
            .all(|s| s.passed || s.stage == Stage::Overlap)
}

fn mark(t: &mut Trace, c: &Cand, st: Stage, passed: bool, detail: &str) {
    // The last explanation of this candidate is the one that reached this stage.
    if let Some(e) = t.iter_mut().rev().find(|e| {
        e.start == c.start
            && e.end == c.end
            && (e.score_after - (c.score * 100.0).round() / 100.0).abs() < 1e-6
            && e.stages.iter().all(|s| s.passed)
    }) {
        e.stages.push(stage(st, passed, detail));
    }
}

fn stage(stage: Stage, passed: bool, detail: &str) -> StageOutcome {
    StageOutcome {
        stage,
        passed,
        detail: detail.to_owned(),
    }
}

fn ctx_stage(c: &Cand, ctx: &ContextIndex) -> StageOutcome {
    let mut d = match c.ctx {
        Some((w, dist)) => format!("context '{}' at {} bytes", ctx.words[w as usize], dist),
        None => "no context word".to_owned(),
    };
    if let Some(w) = c.anti {
        d.push_str(&format!(
            "; anti-context '{}' (x{ANTI_FACTOR})",
            ctx.words[w as usize]
        ));
    }
    stage(
        Stage::Context,
        true,
        &format!("{d}; score {:.2} -> {:.2}", c.base, c.score),
    )
}

/// A phone extension right after a number: "x1234" (as "(897)484-8018x4514"), one to six
/// digits, then no letter or digit.
fn is_extension(after: &str) -> bool {
    // "x4514", "X4514", "ext4514", "EXT623", "Ext.12".
    let b = after.as_bytes();
    let skip = if b.len() >= 3 && b[..3].eq_ignore_ascii_case(b"ext") {
        3 + usize::from(b.get(3) == Some(&b'.'))
    } else if b.first().is_some_and(|&c| c == b'x' || c == b'X') {
        1
    } else {
        return false;
    };
    let rest = &after[skip..];
    let n = rest.bytes().take_while(u8::is_ascii_digit).count();
    (1..=6).contains(&n) && !rest[n..].starts_with(|c: char| c.is_alphanumeric())
}

/// Higher score wins; ties go to the nearest context word, then to catalog order.
fn better(c: &Cand, best: Option<&Cand>) -> bool {
    let Some(b) = best else { return true };
    if (c.score - b.score).abs() > 1e-6 {
        return c.score > b.score;
    }
    let d = |x: &Cand| x.ctx.map_or(usize::MAX, |(_, d)| d);
    d(c) < d(b)
}

/// Buffers a scan fills and empties, kept on its thread for the next scan: a chat message is
/// short, and allocating and growing these vectors for each one cost more than a tenth of
/// scanning it message by message.
#[derive(Default)]
struct Scratch {
    cands: Vec<Cand>,
    cues: Vec<(usize, usize, Cue)>,
    names: Vec<person::NameHit>,
    ctx: CtxCache,
    kept: Vec<Cand>,
    cluster: Vec<Cand>,
}

/// The most candidates (or context hits) a kept buffer has room for: a scan of a large
/// document does not leave megabytes held by its thread.
/// (At most about 2 MB a thread.)
const SCRATCH_MAX: usize = 1 << 13;

impl Scratch {
    /// Small enough to keep for the next scan.
    fn reusable(&self) -> bool {
        [
            self.cands.capacity(),
            self.cues.capacity(),
            self.names.capacity(),
            self.kept.capacity(),
            self.cluster.capacity(),
            self.ctx.hits.capacity(),
            self.ctx.claims.capacity(),
            self.ctx.claims_more.capacity(),
            self.ctx.matches.capacity(),
        ]
        .iter()
        .all(|&c| c <= SCRATCH_MAX)
    }
}

thread_local! {
    static SCRATCH: Cell<Option<Box<Scratch>>> = const { Cell::new(None) };
}

/// Context hits of the whole text, computed at most once per scan and only when a candidate
/// needs them: (start, end, word index), in end order.
#[derive(Default)]
struct CtxCache {
    /// Whether `hits` holds this text's hits yet.
    filled: bool,
    hits: Vec<(usize, usize, u32)>,
    /// Per context hit: rules whose emitted candidate already used it, as bits for the first
    /// [`MASK_RULES`] rules, and as (hit, rule) pairs for the others.
    claims: Vec<u64>,
    claims_more: Vec<(usize, u32)>,
    /// First hit of the last window looked at.
    cursor: usize,
    /// The one-pass match's buffer, lent to each pass.
    matches: Vec<(usize, usize, Target)>,
}

impl CtxCache {
    /// Empties the cache for the next text (its buffers stay).
    fn reset(&mut self) {
        self.filled = false;
        self.hits.clear();
        self.claims.clear();
        self.claims_more.clear();
        self.cursor = 0;
    }
    fn fill(&mut self, text: &str, idx: &ContextIndex) {
        if !self.filled {
            self.filled = true;
            // Dense chat has about one context hit in 13 bytes: room for most long texts up
            // front.
            self.hits.reserve(text.len() / 16);
            idx.matcher.find(text, &mut self.hits);
            self.claims.resize(self.hits.len(), 0);
        }
    }
    fn hits(&self) -> &[(usize, usize, u32)] {
        &self.hits
    }
    fn claimed(&self, hit: usize, rule: usize) -> bool {
        if rule < MASK_RULES {
            self.claims.get(hit).is_some_and(|m| m & (1 << rule) != 0)
        } else {
            self.claims_more.contains(&(hit, rule as u32))
        }
    }
    /// Records that `c` used its context word, if that word stands before it.
    fn claim(&mut self, c: &Cand, idx: &ContextIndex) {
        let Some(h) = c.ctx_hit else { return };
        match self.hits().get(h) {
            // Only a word before the value is claimed, and no plural ("phones 052 5552606
            // 074-7111234": both numbers are phones).
            Some(x) if x.1 <= c.start && !idx.plural[x.2 as usize] => {}
            _ => return,
        }
        if c.rule < MASK_RULES {
            if let Some(m) = self.claims.get_mut(h) {
                *m |= 1 << c.rule;
            }
        } else {
            self.claims_more.push((h, c.rule as u32));
        }
    }
}

/// The keyword prefilter for text that has no trigger byte: does any rule keyword occur,
/// ASCII case-insensitively? An automaton runs at a few ns a byte whatever it does, so when
/// the keywords allow it the search is a packed SIMD (Teddy) search for every case variant of
/// their first three bytes, each hit verified against the whole keywords; prose without such
/// a prefix is skipped at memory speed.
enum KeywordFilter {
    Packed {
        searcher: aho_corasick::packed::Searcher,
        keywords: Vec<Vec<u8>>,
    },
    Automaton(AhoCorasick),
}

/// Most case variants of the keyword prefixes given to the packed searcher.
const PACKED_MAX_PATTERNS: usize = 64;

impl KeywordFilter {
    fn build(keywords: &[String]) -> Result<KeywordFilter, aho_corasick::BuildError> {
        if let Some(f) = Self::packed(keywords) {
            return Ok(f);
        }
        Ok(KeywordFilter::Automaton(
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(AcMatchKind::LeftmostFirst)
                .build(keywords)?,
        ))
    }

    fn packed(keywords: &[String]) -> Option<KeywordFilter> {
        let lower: Vec<Vec<u8>> = keywords
            .iter()
            .map(|k| k.to_ascii_lowercase().into_bytes())
            .collect();
        if lower.is_empty() || lower.iter().any(|k| k.len() < 3 || !k.is_ascii()) {
            return None;
        }
        let mut variants: Vec<Vec<u8>> = Vec::new();
        for k in &lower {
            let mut expanded = vec![k[..3].to_vec()];
            for i in 0..3 {
                if k[i].is_ascii_alphabetic() {
                    let upper: Vec<Vec<u8>> = expanded
                        .iter()
                        .map(|v| {
                            let mut u = v.clone();
                            u[i] = u[i].to_ascii_uppercase();
                            u
                        })
                        .collect();
                    expanded.extend(upper);
                }
            }
            for v in expanded {
                if !variants.contains(&v) {
                    variants.push(v);
                }
            }
        }
        if variants.len() > PACKED_MAX_PATTERNS {
            return None;
        }
        // Teddy's buckets follow pattern order; in byte order they no longer depend on where
        // a rule sits in the catalog (moving one keyword up cost prose 14 % more instructions).
        variants.sort_unstable();
        let searcher = aho_corasick::packed::Config::new()
            .match_kind(aho_corasick::packed::MatchKind::LeftmostFirst)
            .builder()
            .extend(&variants)
            .build()?;
        Some(KeywordFilter::Packed {
            searcher,
            keywords: lower,
        })
    }

    fn is_match(&self, text: &str) -> bool {
        match self {
            KeywordFilter::Automaton(ac) => ac.is_match(text),
            KeywordFilter::Packed { searcher, keywords } => {
                let b = text.as_bytes();
                let mut at = 0;
                while let Some(m) = searcher.find_in(b, aho_corasick::Span::from(at..b.len())) {
                    let rest = &b[m.start()..];
                    if keywords
                        .iter()
                        .any(|k| rest.len() >= k.len() && rest[..k.len()].eq_ignore_ascii_case(k))
                    {
                        return true;
                    }
                    // Prefixes may overlap ("------BEGIN"): resume one byte on.
                    at = m.start() + 1;
                }
                false
            }
        }
    }
}

/// Bytes that can start or be part of every digit- or `@`-based value: ASCII digits, `@`,
/// and 0xEF (lead byte of full-width digits). Checked 32 bytes at a time without early exit
/// inside a block so the compiler vectorises it; plain prose costs well under a cycle a byte.
#[inline]
fn has_trigger_byte(b: &[u8]) -> bool {
    #[inline(always)]
    fn hit(x: u8) -> bool {
        x.wrapping_sub(b'0') < 10 || x == b'@' || x == 0xEF
    }
    let mut chunks = b.chunks_exact(32);
    for c in &mut chunks {
        let mut acc = false;
        for &x in c {
            acc |= hit(x);
        }
        if acc {
            return true;
        }
    }
    chunks.remainder().iter().any(|&x| hit(x))
}

fn hmac_of(key: &[u8], normalized: &str) -> [u8; 32] {
    // HMAC accepts keys of any length; the error branch cannot occur.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return [0; 32];
    };
    mac.update(normalized.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Allowlist hash of `value` under `key`: hex HMAC-SHA256 of its normalised form.
pub fn allowlist_hash(key: &[u8], value: &str) -> String {
    hex::encode(hmac_of(key, &normalize_value(value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det() -> Detector {
        Detector::builtin().unwrap()
    }

    /// The built-in keywords must fit the packed (SIMD) searcher: past its pattern limit the
    /// filter falls back to an automaton and prose without candidates scans six times slower
    /// (a release once dropped from 2.4 GiB/s to 0.4 GiB/s that way). A rule whose trigger
    /// is a digit, '@' or a full-width digit needs no keyword.
    #[test]
    fn builtin_keywords_stay_on_the_packed_searcher() {
        assert!(matches!(det().keywords, KeywordFilter::Packed { .. }));
    }

    /// The texts of the CLI's 50-message chat fixture.
    fn fixture_texts() -> Vec<String> {
        include_str!("../../../cli/tests/fixtures/chat_small.jsonl")
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["text"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    }

    /// A context word is claimed by the first value after it that uses it ("DOB 03/15/1987,
    /// meeting 04/02/2024"), but a plural one speaks for every value after it.
    #[test]
    fn plural_context_words_are_not_claimed() {
        let phones = |t: &str| {
            det()
                .scan(t)
                .iter()
                .filter(|f| f.entity.as_str() == "PHONE_NUMBER")
                .count()
        };
        assert_eq!(phones("try one of these phones 052 5552606 074-7111234"), 2);
        assert_eq!(phones("phone 052 5552606 074 7111234"), 1);
        assert!(det().context.plural.iter().any(|&p| p));
        // "adress" (a misspelling, next to Dutch "adres") is no plural.
        let adress = det().context.words.iter().position(|w| w == "adress");
        assert!(adress.is_some_and(|i| !det().context.plural[i]));
    }

    fn spans_after(before: &str, text: &str) -> Vec<(String, String)> {
        det()
            .scan_after(before, text)
            .iter()
            .map(|f| (f.entity.to_string(), text[f.start..f.end].to_owned()))
            .collect()
    }

    /// A reply read with the question before it: the question's context words speak for the
    /// values at the reply's start; the question's own values are not reported; nothing the
    /// reply alone reports is lost.
    #[test]
    fn the_question_before_a_reply_is_its_context() {
        let pair = |e: &str, v: &str| vec![(e.to_owned(), v.to_owned())];
        for (before, text, want) in [
            (
                "What is your SSN?",
                "078051120",
                pair("US_SSN", "078051120"),
            ),
            (
                "Can you please confirm your date of birth so I can verify your identity?",
                "03/15/1987",
                pair("DATE_OF_BIRTH", "03/15/1987"),
            ),
            (
                "Could you share the routing number?",
                "sure 021000021",
                pair("ABA_ROUTING_NUMBER", "021000021"),
            ),
            (
                "And your passport number?",
                "A12345678",
                pair("US_PASSPORT", "A12345678"),
            ),
            (
                "What's your full name?",
                "sure, jane doe",
                pair("PERSON", "jane doe"),
            ),
            // A street suffix rarer than "drive" alone on the reply's line.
            (
                "Perfect. What's your street address?",
                "36108 dennis overpass",
                pair("STREET_ADDRESS", "36108 dennis overpass"),
            ),
            // The question's card is not the reply's.
            (
                "Is 4111 1111 1111 1111 your card? and your SSN?",
                "078051120",
                pair("US_SSN", "078051120"),
            ),
            // An order number asked for stays one.
            ("What's your order number?", "12345678", vec![]),
            ("What's the company name?", "Jane Doe", vec![]),
            // Words that disagree: the most specific rule names the value.
            (
                "What's the SSN on the account?",
                "078051120",
                pair("US_SSN", "078051120"),
            ),
            (
                "For the account on file, what's the SSN?",
                "078051120",
                pair("US_SSN", "078051120"),
            ),
            (
                "Could you send the routing number for the direct deposit?",
                "021000021",
                pair("ABA_ROUTING_NUMBER", "021000021"),
            ),
            ("Anything else?", "078051120", vec![]),
            // Two words, two values in turn; a value a word alone reads keeps that reading.
            (
                "For the ACH refund please send routing + account.",
                "305396079 / 438949159",
                vec![
                    ("ABA_ROUTING_NUMBER".to_owned(), "305396079".to_owned()),
                    ("US_BANK_NUMBER".to_owned(), "438949159".to_owned()),
                ],
            ),
            (
                "Routing and account number please.",
                "043518009 000321006",
                vec![
                    ("ABA_ROUTING_NUMBER".to_owned(), "043518009".to_owned()),
                    ("US_BANK_NUMBER".to_owned(), "000321006".to_owned()),
                ],
            ),
        ] {
            assert_eq!(spans_after(before, text), want, "{before:?} / {text:?}");
            // Each found value needs the question: the reply alone does not report it, and
            // the finding says so.
            let alone = spans_after("", text);
            assert!(
                want.iter().all(|w| !alone.contains(w)),
                "{text:?} alone: {alone:?}"
            );
            let after = det().scan_after(before, text);
            assert!(
                after.iter().all(|f| f.from_message_before),
                "{text:?}: {after:?}"
            );
            assert!(det().scan(text).iter().all(|f| !f.from_message_before));
        }
        // Anti-context in the question removes nothing the reply says itself.
        let text = "my ssn is 078-05-1120";
        assert_eq!(
            det().scan_after("What's your order number?", text),
            det().scan(text)
        );
        // Far from the reply's start, a value is the reply's own business.
        let text = format!("{}078051120", "x ".repeat(40));
        assert!(det().scan_after("What is your SSN?", &text).is_empty());
    }

    /// The gate the service asks before fetching a reply's question
    /// ([`Detector::scan_needing_context`]) lets through every reply that a question could
    /// add a finding to: where it says no, reading the question anyway adds nothing. Replies
    /// are built from openers, values of every kind the question words speak for, and filler.
    #[test]
    fn the_gate_misses_nothing_a_question_would_add() {
        use proptest::prelude::*;
        let d = det();
        let questions = [
            "What is your SSN?",
            "Can you confirm your date of birth?",
            "Could you share the routing number?",
            "And your passport number?",
            "What's your full name?",
            "What's your street address?",
            "What's the account number?",
            "What's the member id on your insurance card?",
            "Can I get your driver's license number?",
            "What's the best phone number to reach you?",
            "What's the card number?",
            "What's your MRN?",
            "Provider NPI?",
            "And the prescriber's DEA number?",
            "Who am I speaking with?",
            "name + email pls",
            "Anything else?",
            // Two words read together too.
            "For the ACH refund please send routing + account.",
            "SSN and date of birth?",
            "Phone and member id please",
        ];
        let parts = [
            "078051120",
            "078-05-1120",
            "912701234",
            "03/15/1987",
            "3/15/87",
            "March 15, 1987",
            "15.03.1987",
            "021000021",
            "A12345678",
            "123456789",
            "4111111111111111",
            "4111 1111 1111 1111",
            "1234567890",
            "(972) 555-0142",
            "9725550142",
            "1EG4-TE5-MK73",
            "1245319599",
            "AB1234563",
            "D1234567",
            "jane doe",
            "Jane Doe",
            "Yatin Bhalla",
            "It's Priya",
            "36108 dennis overpass",
            "504 parkwood drive",
            "2397 quinn ranch, lake charles, wi 38925",
            "jane@example.org",
            "sure ",
            "it's ",
            "ok ",
            "here ",
            " ",
            ", ",
            " - ",
            "\n",
            ".",
            "thanks",
            "one sec",
            "x x x x x x x x x x x x x x x x x x x x x x x x ",
        ];
        // Found by this test: what the stated-address reader takes after a cue on the line
        // above ("Address:\n…" is read on the next line).
        for (q, text) in [
            ("What's your street address?", "AB1234563March 15, 1987"),
            ("What's your address?", "Calle Mayor 5, 28013 Madrid"),
        ] {
            let (found, needs) = d.scan_needing_context(text);
            assert!(needs, "{text:?}");
            assert_ne!(d.read_after(q, text, found.clone()), found, "{text:?}");
        }
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 2000,
            ..ProptestConfig::default()
        });
        let gated = std::cell::Cell::new(0);
        runner
            .run(
                &(
                    0..questions.len(),
                    proptest::collection::vec(0..parts.len(), 1..6),
                ),
                |(q, picks)| {
                    let text: String = picks.iter().map(|&i| parts[i]).collect();
                    let (found, needs) = d.scan_needing_context(&text);
                    if needs {
                        gated.set(gated.get() + 1);
                    } else {
                        let read = d.read_after(questions[q], &text, found.clone());
                        prop_assert_eq!(read, found, "{:?} / {:?}", questions[q], text);
                    }
                    Ok(())
                },
            )
            .unwrap();
        // The gate is not simply closed.
        assert!(gated.get() > 100, "{}", gated.get());
    }

    #[test]
    fn question_words_are_the_longest_with_the_generic_last() {
        let d = det();
        let words = |t: &str| -> Vec<String> {
            d.question_words(t)
                .into_iter()
                .map(str::to_ascii_lowercase)
                .collect()
        };
        assert_eq!(
            words("What's your social security number?"),
            ["social security number"]
        );
        assert_eq!(
            words("Your number is on file; what's the routing number for the direct deposit?"),
            ["routing number", "deposit", "number is"]
        );
        // Slips of the keys read as the word meant; a word at two slips does not.
        assert_eq!(words("pasport number pls"), ["passport", "number"]);
        assert_eq!(words("date of brith?"), ["birth"]);
        assert!(words("pspasort?").is_empty());
        // An anti-context word reads nothing ("order" is one, of every digit rule), nor does
        // a generic word it qualifies.
        assert_eq!(words("Which order was it? What's the number?"), ["number"]);
        assert!(
            !words("Can you send me the tracking number from the shipping email?")
                .contains(&"number".to_owned())
        );
        assert!(!words("What's the order number?").contains(&"number".to_owned()));
    }

    #[test]
    fn the_gate_says_when_the_message_before_could_add_a_finding() {
        for text in [
            "078051120",
            "03/15/1987",
            "sure, 021000021",
            "Jane Doe",
            "It's Priya",
        ] {
            assert!(det().scan_needing_context(text).1, "{text:?}");
        }
        let far = format!("{}03/15/1987", "x ".repeat(40));
        for text in [
            "thanks, that's all",
            "my ssn is 078-05-1120",
            "4111 1111 1111 1111",
            "order 12345678",
            far.as_str(),
        ] {
            assert!(!det().scan_needing_context(text).1, "{text:?}");
        }
    }

    /// A scan reuses its thread's buffers: each text's findings are those a scan on a fresh
    /// thread gives, whatever was scanned before (short and long texts, one too large for
    /// its buffers to be kept).
    #[test]
    fn reused_buffers_carry_nothing_between_scans() {
        let d = det();
        let texts = fixture_texts();
        let big = texts.join("\n").repeat(40);
        let fresh: Vec<Vec<Finding>> = std::thread::scope(|sc| {
            texts
                .iter()
                .map(|t| sc.spawn(|| d.scan(t)).join().unwrap())
                .collect()
        });
        for round in 0..2 {
            for (t, want) in texts.iter().zip(&fresh) {
                assert_eq!(&d.scan(t), want, "round {round}: {t:?}");
            }
            // Large enough that its buffers are dropped, not kept.
            assert!(!d.scan(&big).is_empty());
        }
        assert!(d.scan(&big).len() > d.scan(&texts.join("\n")).len());
    }

    /// The merged regex + digit-run scanner pass gives the matches one leftmost-first regex of
    /// all the patterns, the digit-run shape last, gives.
    #[test]
    fn merged_match_pass_agrees_with_one_regex() {
        use proptest::prelude::*;
        let d = det();
        let mut pats = Vec::new();
        let mut targets = Vec::new();
        for (i, r) in d.rules.iter().enumerate() {
            if let Some(p) = &r.info.spec.pattern {
                pats.push(p.clone());
                targets.push(Target::Rule(i));
            }
        }
        pats.push(ALNUM_ID_PATTERN.to_owned());
        targets.push(Target::AlnumId);
        pats.push(crate::shape::NUMBER_PATTERN.to_owned());
        targets.push(Target::Number);
        let one = regex_builder().build_many(&pats).unwrap();
        let check = |text: &str, from: usize, to: usize| {
            let want: Vec<(usize, usize, Target)> = one
                .find_iter(Input::new(text).range(from..to))
                .map(|m| (m.start(), m.end(), targets[m.pattern().as_usize()]))
                .collect();
            assert_eq!(
                d.find_matches(text, from, to),
                want,
                "{text:?} {from}..{to}"
            );
            want.len()
        };
        let texts = fixture_texts();
        let mut n = 0;
        for t in &texts {
            n += check(t, 0, t.len());
        }
        n += check(&texts.join(" "), 0, texts.join(" ").len());
        assert!(n > 50);
        // Fragments where a digit run and a pattern meet: dates, IPs, street numbers, IBANs,
        // phone numbers in parentheses, ids with letters.
        let parts = [
            "12",
            "1987",
            "555",
            "4111",
            "03/15/",
            "-",
            ".",
            " ",
            "(",
            ")",
            "+1 ",
            "192.168.",
            "Main St",
            "GB82 WEST ",
            "A123",
            "MR00",
            "@x.io",
            "DOB ",
            "1Z",
            ":",
            "１２",
            "\u{00A0}",
            // Secrets, keys, month names, long tokens, emails, IPv6 and literal prefixes.
            "1HGCM82633A004352",
            "wJalrXUtnFEMI/K7MDENG/",
            "bPxRfiCYEXAMPLEKEY",
            "+",
            "/",
            "_",
            "jane.o'doe",
            "@",
            "example.org",
            "xPassword",
            "api_key",
            "\"",
            "=",
            "S3cr3tValue",
            "March",
            "sept",
            "5th",
            ", ",
            "fe80",
            "::",
            "ab12",
            "gb82 west 1234 5698 7654 32",
            "ghp_",
            "sk_live_",
            "xoxb-",
            "eyJ",
            "AccountKey=",
            "SG.",
            "-----BEGIN RSA PRIVATE KEY-----",
            "https://hooks.slack.com/services/",
            "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=",
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
            "0123456789abcdefABCDEF",
        ];
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 1000,
            ..ProptestConfig::default()
        });
        runner
            .run(
                &(proptest::collection::vec(0..parts.len(), 0..32), 0usize..64),
                |(picks, cut)| {
                    let text: String = picks.iter().map(|&i| parts[i]).collect();
                    check(&text, 0, text.len());
                    let from = (0..=cut.min(text.len()))
                        .rev()
                        .find(|&i| text.is_char_boundary(i))
                        .unwrap_or(0);
                    check(&text, from, text.len());
                    Ok(())
                },
            )
            .unwrap();
    }

    #[test]
    fn context_hits_of_the_catalog_words_agree_with_aho_corasick() {
        let d = det();
        let mut texts = fixture_texts();
        let all = texts.join("\n");
        texts.push(all.to_uppercase());
        texts.push(all);
        // Every word, glued to others, cut short, in capitals, and after punctuation.
        let words = d.context.words.join(" ");
        texts.push(words.clone());
        texts.push(d.context.words.join(""));
        texts.push(d.context.words.join("#"));
        texts.push(words.to_uppercase());
        texts.push(
            d.context
                .words
                .iter()
                .map(|w| &w[..w.len() - 1])
                .collect::<Vec<_>>()
                .join(" "),
        );
        for t in &texts {
            let mut got = Vec::new();
            d.context.matcher.find(t, &mut got);
            let want = crate::context::tests::reference(&d.context.words, t);
            assert!(!t.is_empty());
            assert_eq!(got, want);
        }
    }

    #[test]
    fn keyword_filter_packed_agrees_with_the_automaton() {
        let kws: Vec<String> = [
            "password",
            "pwd",
            "secret",
            "token",
            "-----BEGIN",
            "hf_",
            "api-key",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let packed = KeywordFilter::build(&kws).unwrap();
        assert!(matches!(packed, KeywordFilter::Packed { .. }));
        let ac = KeywordFilter::Automaton(
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .build(&kws)
                .unwrap(),
        );
        let cases = [
            "my PassWord is long",
            "PWD",
            "------BEGIN RSA",
            "----BEGIN",
            "pas sword",
            "hf_abc",
            "HF_",
            "the token",
            "tok en",
            "a second secret",
            "api key",
            "API-KEY:",
            "",
            "pw",
            "plain prose about the export feature",
            "pasecpwtokhf-----",
        ];
        for c in cases {
            assert_eq!(packed.is_match(c), ac.is_match(c), "{c:?}");
        }
        // Too many prefix variants: the automaton.
        let many: Vec<String> = (0..20)
            .map(|i| format!("ab{}", (b'a' + i) as char))
            .collect();
        assert!(matches!(
            KeywordFilter::build(&many).unwrap(),
            KeywordFilter::Automaton(_)
        ));
    }

    #[test]
    fn trigger_bytes() {
        assert!(!has_trigger_byte(
            "plain prose without any candidates at all, long enough".as_bytes()
        ));
        assert!(has_trigger_byte(
            "x".repeat(70)
                .as_bytes()
                .iter()
                .copied()
                .chain(*b"7")
                .collect::<Vec<_>>()
                .as_slice()
        ));
        assert!(has_trigger_byte("mail a@b".as_bytes()));
        assert!(has_trigger_byte("１".as_bytes()));
    }

    #[test]
    fn long_texts_find_what_short_ones_do() {
        // Messages take one memchr pass over their 'a's, long texts prebuilt searchers.
        let d = det();
        let tail = "my name is john smith; mail jane[at]example[dot]org or (at) home \
                    john dot smith at gmail dot com. Name: maria";
        let short: Vec<_> = d
            .scan(tail)
            .iter()
            .map(|f| (f.entity.clone(), f.start, f.end))
            .collect();
        assert_eq!(short.len(), 4, "{short:?}");
        let pad = "a cat sat at the mat and came back later. ".repeat(20);
        assert!(pad.len() >= LONG_TEXT);
        let long = format!("{pad}{tail}");
        let got: Vec<_> = d
            .scan(&long)
            .iter()
            .map(|f| (f.entity.clone(), f.start - pad.len(), f.end - pad.len()))
            .collect();
        assert_eq!(got, short);
    }

    #[test]
    fn scan_table() {
        let d = det();
        let cases: &[(&str, &[(&str, &str)])] = &[
            // A phone extension does not hide the number; nor does the 001 prefix.
            (
                "call (897)484-8018x4514 or 001-740-326-5423",
                &[
                    ("PHONE_NUMBER", "(897)484-8018"),
                    ("PHONE_NUMBER", "001-740-326-5423"),
                ],
            ),
            (
                "call 523-222-8888EXT623 now",
                &[("PHONE_NUMBER", "523-222-8888")],
            ),
            (
                "Call me at +442345678900 tomorrow.",
                &[("PHONE_NUMBER", "+442345678900")],
            ),
            // A label after the number that ends its line.
            (
                "9266849811 fax\n2768313062 mobile",
                &[
                    ("PHONE_NUMBER", "9266849811"),
                    ("PHONE_NUMBER", "2768313062"),
                ],
            ),
            // A rejected date or IPv4 match does not cut the phone number it starts.
            ("call 02-64-62-52-37", &[("PHONE_NUMBER", "02-64-62-52-37")]),
            // A lower-case address is read where a line starts with a digit and after "at",
            // once where a cue ending in "at" reads it too; a P.O. box with address context.
            (
                "sure\n504 parkwood drive\nthanks",
                &[("STREET_ADDRESS", "504 parkwood drive")],
            ),
            (
                "checkout the new place at 101 main st. soon",
                &[("STREET_ADDRESS", "101 main st.")],
            ),
            (
                "I live at 500 elm street",
                &[("STREET_ADDRESS", "500 elm street")],
            ),
            ("looking at 20 hard drives", &[]),
            (
                "my mailing address is PO Box 1234",
                &[("STREET_ADDRESS", "PO Box 1234")],
            ),
            // A policy number in dashed groups; a label glued to a value by '-' does not hide
            // it.
            (
                "Policy Number: POL-2024-78901",
                &[("HEALTH_PLAN_ID", "POL-2024-78901")],
            ),
            ("DOB-03-15-1987", &[("DATE_OF_BIRTH", "03-15-1987")]),
            // An anti-context word before the id outweighs a context word as near after it,
            // and the id's digits are not read again as the same entity.
            ("order ORD-2024-55512 insurance", &[]),
            ("call TEL-212-555-0187", &[("PHONE_NUMBER", "212-555-0187")]),
            ("my ssn: SSN-536-22-1120", &[("US_SSN", "536-22-1120")]),
            // An email's local part with letters outside ASCII is read back whole.
            (
                "mail: jose.garcía@example.com",
                &[("EMAIL_ADDRESS", "jose.garcía@example.com")],
            ),
            ("thank you, Maria.", &[("PERSON", "Maria")]),
            // After the customer's own-name cue one capitalised word is a name, known or not.
            ("My name is Priya.", &[("PERSON", "Priya")]),
            ("Plan name: Premium", &[]),
            (
                "Name: Priya\nDOB: 01/02/1990",
                &[("PERSON", "Priya"), ("DATE_OF_BIRTH", "01/02/1990")],
            ),
            ("username: Admin", &[]),
            ("struct Person {\n    name: String,\n}", &[]),
            // A relation before a known first name; a licence in Washington's old layout.
            ("my daughter Emma has an appointment", &[("PERSON", "Emma")]),
            (
                "DL# FRANCRF705BA issued last year",
                &[("US_DRIVER_LICENSE", "FRANCRF705BA")],
            ),
            (
                "You can call 02.64.62.52.37",
                &[("PHONE_NUMBER", "02.64.62.52.37")],
            ),
            // A name found once is found again where its words stand alone; not a word that
            // is also an English one.
            (
                "My name is Margrethe Kristiansen but everyone calls me Margrethe",
                &[("PERSON", "Margrethe Kristiansen"), ("PERSON", "Margrethe")],
            ),
            (
                "Hi, this is Will Smith. Will you call me?",
                &[("PERSON", "Will Smith")],
            ),
            // A typed declaration's value is the one assigned, not its type.
            (
                "val apiToken: String = \"ghx7Kq9Lm2Rt5Vz8Wp3Yc6Nb4Jd1Fh0Gs\"",
                &[("SECRET", "ghx7Kq9Lm2Rt5Vz8Wp3Yc6Nb4Jd1Fh0Gs")],
            ),
            ("val apiToken: String = someOtherVariable1", &[]),
            // Social security context is no phone's; a sample number (078-05-1120, the
            // Woolworth card) with SSN context is someone's claim, alone it is nobody's.
            (
                "my social security number is 078-05-1120",
                &[("US_SSN", "078-05-1120")],
            ),
            ("SSN: 123-45-6789", &[("US_SSN", "123-45-6789")]),
            ("the format is 123-45-6789", &[]),
            // One separator slipped: weak, context decides (07805-1120 is also a ZIP+4).
            ("my ssn is 07805-1120", &[("US_SSN", "07805-1120")]),
            ("Boston MA 07805-1120", &[]),
            // Names starting with a capital outside ASCII, found the same way.
            ("My name is Ágnes Kovács", &[("PERSON", "Ágnes Kovács")]),
            (
                "Patient: Łukasz Żółć. Łukasz prefers email",
                &[("PERSON", "Łukasz Żółć"), ("PERSON", "Łukasz")],
            ),
            (
                "Dr. Émilie Durand will call",
                &[("PERSON", "Dr. Émilie Durand")],
            ),
            ("Économie et café à Éze", &[]),
            // Census first names and surnames without a cue; none that is an English word.
            (
                "Simon Ross, Rachel Todd, and Joesph Bennett went to the store",
                &[
                    ("PERSON", "Simon Ross"),
                    ("PERSON", "Rachel Todd"),
                    ("PERSON", "Joesph Bennett"),
                ],
            ),
            ("Chase Bank called. In Rust we trust", &[]),
            // Part of a birth date after a birth word; not elsewhere, not a year alone.
            (
                "I was born in May 1987, DOB 05/1987 on file",
                &[("DATE_OF_BIRTH", "May 1987"), ("DATE_OF_BIRTH", "05/1987")],
            ),
            (
                "my birthday is March 3rd",
                &[("DATE_OF_BIRTH", "March 3rd")],
            ),
            ("we launched in May 1987; I was born in 1987", &[]),
            ("DOB 03/15/1987", &[("DATE_OF_BIRTH", "03/15/1987")]),
            // A street address in lower case after address context; not without it.
            (
                "my address is 504 parkwood drive apt 4, thanks",
                &[("STREET_ADDRESS", "504 parkwood drive apt 4")],
            ),
            ("it is 504 parkwood drive", &[]),
            // A name typed in lower case after "my name is" / "Name:": gazetteer words only.
            (
                "hi, my name is john smith and I need help",
                &[("PERSON", "john smith")],
            ),
            ("Name: maria", &[("PERSON", "maria")]),
            // An Irish or Italian surname's apostrophe; not a possessive's.
            ("my name is sean o'brien", &[("PERSON", "sean o'brien")]),
            ("my name is sean's choice", &[("PERSON", "sean")]),
            ("my name is not important, the file name is report", &[]),
            ("my name is will", &[]),
            // An email address spelled out; not prose around "at".
            (
                "email me at john dot smith at gmail dot com",
                &[("EMAIL_ADDRESS", "john dot smith at gmail dot com")],
            ),
            ("look at example.com for details", &[]),
            (
                "card 060403249661 expires",
                &[("CREDIT_CARD", "060403249661")],
            ),
            // A dot-less code-like id without clinical context is left to the id rules.
            ("Member ID A12345", &[("HEALTH_PLAN_ID", "A12345")]),
            ("ICD-10 dx code E119", &[("ICD10_CODE", "E119")]),
            // An IBAN-like run that fails does not hide the IBAN inside it.
            (
                "bank NO 44 GB82 WEST 1234 5698 7654 32",
                &[("IBAN_CODE", "GB82 WEST 1234 5698 7654 32")],
            ),
            // A unit before the house number ("Apt. 732 9973 …": the digit run is "732 9973").
            (
                "Apt. 732 9973 Nicole Fords\nBrandonmouth HI 57492",
                &[("STREET_ADDRESS", "9973 Nicole Fords\nBrandonmouth HI 57492")],
            ),
            // An anti-context word in an earlier clause does not sink a phone number.
            (
                "I did an online order but didn't get any message on my registered (904)544-0910.",
                &[("PHONE_NUMBER", "(904)544-0910")],
            ),
            ("my order no. (904)544-0910", &[]),
            // "number is" after an anti-context word is that word's context, not a phone's.
            ("my order number is 3035550147", &[]),
            ("my number is 3035550147", &[("PHONE_NUMBER", "3035550147")]),
            // A password inside a URL is the value, not user@host as an email.
            (
                "DATABASE_URL=postgres://admin:GoUvUPpsB9rCiEvI@db.example.com:5432/prod",
                &[("SECRET", "GoUvUPpsB9rCiEvI")],
            ),
            (
                "driver's license S530-460-12-345-0",
                &[("US_DRIVER_LICENSE", "S530-460-12-345-0")],
            ),
            (
                "my ssn is 472-38-9016 and card 4111 1111 1111 1111",
                &[
                    ("US_SSN", "472-38-9016"),
                    ("CREDIT_CARD", "4111 1111 1111 1111"),
                ],
            ),
            (
                "write to o'brien@example.ie, not 'jane@example.org'",
                &[
                    ("EMAIL_ADDRESS", "o'brien@example.ie"),
                    ("EMAIL_ADDRESS", "jane@example.org"),
                ],
            ),
            (
                "ping fe80::1%eth0, then fe80::2%, then 2001:db8::1%en0.",
                &[
                    ("IP_ADDRESS", "fe80::1%eth0"),
                    ("IP_ADDRESS", "fe80::2"),
                    ("IP_ADDRESS", "2001:db8::1%en0"),
                ],
            ),
            (
                "routing 021000021 account 12345678",
                &[
                    ("ABA_ROUTING_NUMBER", "021000021"),
                    ("US_BANK_NUMBER", "12345678"),
                ],
            ),
            (
                "call me at (415) 555-2671",
                &[("PHONE_NUMBER", "(415) 555-2671")],
            ),
            // A digit run that starts at '(' no number rule takes is re-read for patterns.
            (
                "server (192.168.1.1) down",
                &[("IP_ADDRESS", "192.168.1.1")],
            ),
            ("DOB (03.15.1987)", &[("DATE_OF_BIRTH", "03.15.1987")]),
            // An IPv6 glued to a word is none; the IPv4 inside it still counts.
            ("foo2001:db8::10.0.0.1", &[("IP_ADDRESS", "10.0.0.1")]),
            (
                "mapped ::ffff:192.0.2.1 here",
                &[("IP_ADDRESS", "::ffff:192.0.2.1")],
            ),
            ("order #12345 total $4155552671", &[]),
            (
                "the provider NPI is 1234567893",
                &[("US_NPI", "1234567893")],
            ),
            (
                "ssn ４７２-３８-９０１６ please",
                &[("US_SSN", "４７２-３８-９０１６")],
            ),
            (
                "ssn 472\u{00A0}38\u{00A0}9016 ok",
                &[("US_SSN", "472\u{00A0}38\u{00A0}9016")],
            ),
            (
                "card 4111\u{200B}1111\u{200B}1111\u{200B}1111 ok",
                &[("CREDIT_CARD", "4111\u{200B}1111\u{200B}1111\u{200B}1111")],
            ),
            (
                "ssn 472-38-90\u{200B}16 ok",
                &[("US_SSN", "472-38-90\u{200B}16")],
            ),
            (
                "DOB 03/15/1987, meeting 04/02/2024",
                &[("DATE_OF_BIRTH", "03/15/1987")],
            ),
            // Regressions: a context word after a value belongs to the next value.
            (
                "my ssn is 536221120 and routing 011000015",
                &[("US_SSN", "536221120"), ("ABA_ROUTING_NUMBER", "011000015")],
            ),
            (
                "my driver license is H12234567, passport 912803456",
                &[
                    ("US_DRIVER_LICENSE", "H12234567"),
                    ("US_PASSPORT", "912803456"),
                ],
            ),
            ("Sincerely,\nMary Johnson", &[("PERSON", "Mary Johnson")]),
            (
                "I live at 1600 Pennsylvania Avenue NW, Washington, DC 20500",
                &[(
                    "STREET_ADDRESS",
                    "1600 Pennsylvania Avenue NW, Washington, DC 20500",
                )],
            ),
        ];
        for (text, want) in cases {
            let got: Vec<(String, String)> = d
                .scan(text)
                .iter()
                .map(|f| (f.entity.to_string(), text[f.start..f.end].to_string()))
                .collect();
            let want: Vec<(String, String)> = want
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
            assert_eq!(got, want, "{text}");
        }
    }

    /// A state and ZIP ("ND 50696 IBAN …") look like a country code and check digits; the
    /// national IBAN grouping needs a separator after the check digits, so they are no IBAN
    /// candidate at all (a rejected one would hide what starts inside it).
    #[test]
    fn state_and_zip_are_no_iban_candidate() {
        let text = "Port Tony, ND 50696 IBAN GB82 WEST 1234 5698 7654 32";
        let nd = text.find("ND").unwrap();
        let ex = det().explain(text);
        assert!(
            ex.iter()
                .all(|e| !(e.rule_id.to_string() == "iban" && e.start == nd)),
            "{ex:?}"
        );
        assert!(
            ex.iter()
                .any(|e| e.rule_id.to_string() == "iban" && e.reported)
        );
    }

    /// Rules past the first 64 keep their context links and claims outside the bitmasks:
    /// the same context stage must hold for them.
    #[test]
    fn context_works_for_rules_past_the_bitmask() {
        let mut toml = String::new();
        for i in 0..20 {
            toml.push_str(&format!(
                "[[rules]]\nid = \"acme-code-{i}\"\nentity = \"ACME_CODE\"\n\
                 pattern = '\\bZQ{i}X-[0-9]{{4}}\\b'\nscore = 0.3\ncontext_boost = 0.5\n\
                 context = [\"acme code\"]\nanti_context = [\"sample\"]\n"
            ));
        }
        let policy = Policy::from_toml_str(&toml).unwrap();
        let d = Detector::from_policy(&policy).unwrap();
        let last = d
            .rules
            .iter()
            .position(|r| r.info.id.as_str() == "acme-code-19");
        assert!(last.is_some_and(|i| i >= MASK_RULES), "{last:?}");
        let found = |t: &str| -> Vec<String> {
            d.scan(t)
                .iter()
                .filter(|f| f.entity.as_str() == "ACME_CODE")
                .map(|f| t[f.start..f.end].to_owned())
                .collect()
        };
        // Context lifts the value over the threshold; without it, or after an anti-context
        // word, it stays below.
        assert_eq!(found("acme code ZQ19X-1234"), ["ZQ19X-1234"]);
        assert!(found("ZQ19X-1234").is_empty());
        assert!(found("sample ZQ19X-1234").is_empty());
        // A context word before a value is used once: the second value does not take it.
        assert_eq!(found("acme code ZQ19X-1234 ZQ19X-5678"), ["ZQ19X-1234"]);
        // The same holds below the bitmask boundary.
        assert_eq!(found("acme code ZQ0X-1234 ZQ0X-5678"), ["ZQ0X-1234"]);
    }

    #[test]
    fn context_decays_and_anti_context_suppresses() {
        let d = det();
        let near = d.scan("ssn 219099998");
        let anti = d.scan("order 219099998");
        assert_eq!(near.len(), 1);
        assert!(anti.is_empty());
    }

    #[test]
    fn explain_names_stages() {
        let d = det();
        let ex = d.explain("my ssn is 472-38-9016");
        let e = ex.iter().find(|e| e.reported).unwrap();
        assert_eq!(e.rule_id.as_str(), "us-ssn");
        assert_eq!(e.context_words, vec!["ssn".to_string()]);
        assert!(e.score_after > e.score_before);
        assert!(
            e.stages
                .iter()
                .any(|s| s.stage == Stage::Validate && s.passed)
        );
        let dbg = format!("{ex:?}");
        assert!(!dbg.contains("472-38-9016"));
    }

    #[test]
    fn detector_is_send_sync() {
        fn assert_ss<T: Send + Sync>() {}
        assert_ss::<Detector>();
    }
}
