package pyscript

import (
	"context"
	"fmt"
	"html"
	"strings"

	"github.com/eddyml/eddy/internal/pybridge"
	"github.com/eddyml/eddy/pipeline/table"
)

type displayKey struct{}

// WithDisplay returns ctx with show, which receives the rich outputs
// (mime type -> data, e.g. "image/png") that eddy calls of a script or
// cell run under ctx produce, such as plots: a notebook kernel shows
// them as display_data.
func WithDisplay(ctx context.Context, show func(data map[string][]byte)) context.Context {
	return context.WithValue(ctx, displayKey{}, show)
}

// display sends data to the display of ctx and reports whether there is
// one.
func display(ctx context.Context, data map[string][]byte) bool {
	show, ok := ctx.Value(displayKey{}).(func(map[string][]byte))
	if !ok || show == nil {
		return false
	}
	show(data)
	return true
}

// htmlRows is how many rows HTML renders.
const htmlRows = 10

// HTML renders v, a value returned by pybridge (a notebook cell's
// result), as HTML when it is an eddy.Table: its first rows and its
// size. ok is false for other values.
func HTML(v any) (s string, ok bool) {
	o, isObj := v.(*pybridge.Object)
	if !isObj || o.Class != tableClass {
		return "", false
	}
	t := tableOf(o)
	schema := t.Schema()
	var b strings.Builder
	b.WriteString("<table>\n<thead><tr>")
	for _, f := range schema.Fields() {
		fmt.Fprintf(&b, "<th>%s<br><small>%s</small></th>", html.EscapeString(f.Name), html.EscapeString(table.TypeName(f.Type)))
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	shown := 0
	for i := 0; i < t.NumBatches() && shown < htmlRows; i++ {
		rec := t.Batch(i)
		for r := 0; r < int(rec.NumRows()) && shown < htmlRows; r++ {
			b.WriteString("<tr>")
			for _, c := range rec.Columns() {
				fmt.Fprintf(&b, "<td>%s</td>", html.EscapeString(cellText(table.Value(c, r))))
			}
			b.WriteString("</tr>\n")
			shown++
		}
	}
	fmt.Fprintf(&b, "</tbody>\n</table>\n<p>%d of %d rows x %d columns</p>\n", shown, t.NumRows(), schema.NumFields())
	return b.String(), true
}

func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		return fmt.Sprintf("%.6g", x)
	case float32:
		return fmt.Sprintf("%.6g", x)
	}
	return fmt.Sprint(v)
}
