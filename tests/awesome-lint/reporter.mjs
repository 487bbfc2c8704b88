// A reporter for awesome-lint's --reporter option: every message as one JSON array on one line,
// so the tests read rule, position and severity instead of parsing the pretty output.
export const report = files => JSON.stringify(files.flatMap(file => file.messages.map(message => ({
	file: file.path,
	rule: message.ruleId ?? null,
	source: message.source ?? null,
	line: message.line ?? null,
	column: message.column ?? null,
	fatal: message.fatal ?? null,
	message: message.reason,
}))));
