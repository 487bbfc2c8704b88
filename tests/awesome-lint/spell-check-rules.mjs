// Prints awesome-lint's spell-check word list as JSON: each rule's correct spelling and its
// tests, a string (a whole word, any case) or a regular expression's source and flags.
// awesome-catalog vendors this list (scripts/awesome_catalog/core/spell_check_rules.json);
// tests/test_spelling.py compares the two.
import {createRequire} from 'node:module';
import rules from 'awesome-lint/lib/spell-check-rules.js';

const pkg = createRequire(import.meta.url)('awesome-lint/package.json');
const tests = rule => (Array.isArray(rule.test) ? rule.test : [rule.test])
	.map(test => (typeof test === 'string' ? test : {source: test.source, flags: test.flags}));
console.log(JSON.stringify({
	version: pkg.version,
	license: pkg.license,
	rules: rules.map(rule => ({value: rule.value, test: tests(rule)})),
}));
