package reports

import (
	"html/template"
	"strings"
)

// HTML renders report.html: the same as report.md on one self-contained
// page (no script, no external asset), the failures and errors expandable.
// It is also well-formed XML, so that a machine can read it without an
// HTML parser.
func HTML(d Document) string {
	failed, errored := d.Failures()
	var b strings.Builder
	err := page.Execute(&b, map[string]any{
		"D": d, "Meta": metaRows(d), "Failed": failed, "Errored": errored,
		"Requirements": byArea(d.Requirements),
		"Levels":       []string{"MUST", "SHOULD"},
		"Outcomes":     []Outcome{Passed, Failed, Errored, NotChecked},
	})
	if err != nil {
		// The template is fixed and the data plain: this is a bug.
		panic(err)
	}
	return b.String()
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"class": func(v any) string {
		return strings.ReplaceAll(strings.ToLower(template.HTMLEscapeString(toString(v))), " ", "-")
	},
	"caseText": CaseText,
	"count": func(d Document, level string, o Outcome) int {
		for l, byOutcome := range d.Counts {
			if string(l) == level {
				return byOutcome[o]
			}
		}
		return 0
	},
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<title>seamconform: {{.D.Headline}}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #1b1b1b; }
.verdict { font-size: 1.6em; font-weight: bold; padding: .4em .7em; border-radius: .3em; }
.verdict.conformant { background: #dff3e2; } .verdict.not-conformant { background: #fbe0e0; }
.verdict.incomplete, .verdict.nothing-checked, .verdict.partial { background: #fdf1d6; }
table { border-collapse: collapse; margin: .6em 0; } td, th { border: 1px solid #ccc; padding: .2em .5em; text-align: left; vertical-align: top; }
tr.failed td.outcome { color: #a40000; font-weight: bold; } tr.error td.outcome { color: #8a5a00; font-weight: bold; }
tr.passed td.outcome { color: #1f6f2b; } tr.not-checked td.outcome { color: #666; }
details { margin: .3em 0; } details.requirement { border: 1px solid #ddd; border-radius: .3em; padding: .3em .6em; }
summary { cursor: pointer; } pre { background: #f5f5f5; padding: .6em; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
</style>
</head>
<body>
<h1>seamconform report</h1>
<p id="verdict" class="verdict {{if .D.Partial}}partial{{else}}{{class .D.Verdict}}{{end}}">Verdict: {{.D.Headline}}</p>
<table id="counts">
<tr><th>level</th>{{range .Outcomes}}<th>{{.}}</th>{{end}}</tr>
{{range $level := .Levels}}<tr><td>{{$level}}</td>{{range $.Outcomes}}<td>{{count $.D $level .}}</td>{{end}}</tr>
{{end}}</table>
<h2>The run</h2>
<table id="run">
{{range .Meta}}<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>
{{end}}</table>
{{if .D.RunErrors}}<h2>Run errors</h2>
<ul id="run-errors">{{range .D.RunErrors}}<li>{{.}}</li>{{end}}</ul>
{{end}}{{if .D.LeftBehind}}<h2>Left behind</h2>
<ul id="left-behind">{{range .D.LeftBehind}}<li>{{.}}</li>{{end}}</ul>
{{end}}{{if .Failed}}<h2>Failures</h2>
{{range .Failed}}<details class="requirement failed" id="{{.ID}}" data-id="{{.ID}}" open="open">
<summary><b>{{.ID}}</b> [{{.Level}}] {{.Statement}}</summary>
{{range .Cases}}{{if eq .Outcome "failed"}}<details class="case"><summary>{{.Name}}: {{.Message}}</summary>
<pre>{{caseText .}}</pre>
{{with .Curl}}<p>Reproduce:</p><pre class="curl">{{.}}</pre>{{end}}
</details>
{{end}}{{end}}</details>
{{end}}{{end}}{{if .Errored}}<h2>Errors (could not be checked)</h2>
{{range .Errored}}<details class="requirement error" id="{{.ID}}" data-id="{{.ID}}">
<summary><b>{{.ID}}</b> [{{.Level}}] {{.Statement}}</summary>
{{range .Cases}}{{if eq .Outcome "error"}}<details class="case"><summary>{{.Name}}: {{.Message}}</summary>
<pre>{{caseText .}}</pre>
</details>
{{end}}{{end}}</details>
{{end}}{{end}}<h2>Requirements</h2>
<table id="requirements">
<tr><th>area</th><th>ID</th><th>level</th><th>outcome</th><th>statement</th></tr>
{{range .Requirements}}<tr class="{{class .Outcome}}" data-id="{{.ID}}"><td>{{.Area}}</td><td>{{.ID}}</td><td>{{.Level}}</td><td class="outcome">{{.Outcome}}{{with .Reason}}: {{.}}{{end}}</td><td>{{.Statement}}</td></tr>
{{end}}</table>
</body>
</html>
`))

func toString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case Verdict:
		return string(t)
	case Outcome:
		return string(t)
	}
	return ""
}
