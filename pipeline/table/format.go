package table

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
)

// Limits of FormatHead's cells.
const (
	maxCellRunes  = 24 // longer strings are cut with "…"
	maxVectorShow = 4  // vector entries shown before "…"
)

// TypeName is a short, readable name of dt: "dense_vector[n]" and
// "sparse_vector" for vector columns, Arrow's name otherwise.
func TypeName(dt arrow.DataType) string {
	switch {
	case IsDenseVector(dt):
		return fmt.Sprintf("dense_vector[%d]", dt.(*arrow.FixedSizeListType).Len())
	case IsSparseVector(dt):
		return "sparse_vector"
	}
	return dt.String()
}

// FormatHead prints the schema of r (one "name: type [role]" line per
// column) and its first n rows as an aligned text table, like pandas'
// head: numbers right-aligned and printed compactly (%g), strings
// left-aligned and cut at 24 characters, nulls as "null", vectors as
// "[1 2 3 …]" (dense) and "(size)[index:value …]" (sparse). It reads
// batches from r until it has n rows and does not release r. A
// *TableReader also gets the total row count in the footer.
func FormatHead(w io.Writer, r Reader, n int) error {
	schema := r.Schema()
	total := int64(-1)
	if tr, ok := r.(*TableReader); ok {
		total = tr.t.NumRows() - tr.Offset()
	}
	ncol := schema.NumFields()
	cells := [][]string{make([]string, ncol+1)} // header row first
	right := make([]bool, ncol+1)
	right[0] = false
	for j, f := range schema.Fields() {
		cells[0][j+1] = f.Name
		right[j+1] = isNumeric(f.Type)
	}
	rows := 0
	for rows < n && r.Next() {
		rec := r.Record()
		for i := 0; i < int(rec.NumRows()) && rows < n; i++ {
			line := make([]string, ncol+1)
			line[0] = strconv.Itoa(rows)
			for j, c := range rec.Columns() {
				line[j+1] = formatCell(c, i)
			}
			cells = append(cells, line)
			rows++
		}
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("format head: %w", err)
	}

	var b strings.Builder
	nameW := 0
	for _, f := range schema.Fields() {
		nameW = max(nameW, utf8.RuneCountInString(f.Name))
	}
	for _, f := range schema.Fields() {
		fmt.Fprintf(&b, "%-*s  %s", nameW, f.Name, TypeName(f.Type))
		if role := RoleOf(f); role != "" {
			fmt.Fprintf(&b, " [%s]", role)
		}
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	widths := make([]int, ncol+1)
	for _, line := range cells {
		for j, c := range line {
			widths[j] = max(widths[j], utf8.RuneCountInString(c))
		}
	}
	for _, line := range cells {
		var lb strings.Builder
		for j, c := range line {
			if j > 0 {
				lb.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[j]-utf8.RuneCountInString(c))
			if right[j] {
				lb.WriteString(pad + c)
			} else {
				lb.WriteString(c + pad)
			}
		}
		b.WriteString(strings.TrimRight(lb.String(), " "))
		b.WriteByte('\n')
	}
	if total >= 0 {
		fmt.Fprintf(&b, "[%d of %d rows x %d columns]\n", rows, total, ncol)
	} else {
		fmt.Fprintf(&b, "[%d rows x %d columns]\n", rows, ncol)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// FormatHead prints the table's schema and first n rows; see the package
// function FormatHead.
func (t *Table) FormatHead(w io.Writer, n int) error {
	r := t.Reader()
	defer r.Release()
	return FormatHead(w, r, n)
}

func isNumeric(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64, arrow.DECIMAL128, arrow.DECIMAL256,
		arrow.DURATION:
		return true
	}
	return false
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', 6, 64) }

var escaper = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`)

func truncate(s string) string {
	if utf8.RuneCountInString(s) <= maxCellRunes {
		return s
	}
	r := []rune(s)
	return string(r[:maxCellRunes-1]) + "…"
}

func formatCell(arr arrow.Array, i int) string {
	if arr.IsNull(i) {
		return "null"
	}
	switch a := arr.(type) {
	case *array.Float64:
		return formatFloat(a.Value(i))
	case *array.Float32:
		return strconv.FormatFloat(float64(a.Value(i)), 'g', 6, 32)
	case *array.String:
		return truncate(escaper.Replace(a.Value(i)))
	case *array.LargeString:
		return truncate(escaper.Replace(a.Value(i)))
	case *array.Timestamp:
		return Value(a, i).(time.Time).Format("2006-01-02 15:04:05.999999999")
	case *array.Date32, *array.Date64:
		return Value(a, i).(time.Time).Format("2006-01-02")
	case *array.FixedSizeList:
		if v, ok := Value(a, i).([]float64); ok {
			var b strings.Builder
			b.WriteByte('[')
			for k, x := range v {
				if k == maxVectorShow {
					b.WriteString(" …")
					break
				}
				if k > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(formatFloat(x))
			}
			b.WriteByte(']')
			return b.String()
		}
	case *array.Struct:
		if v, ok := Value(a, i).(SparseVector); ok {
			var b strings.Builder
			fmt.Fprintf(&b, "(%d)[", v.Size)
			for k := range v.Indices {
				if k == maxVectorShow {
					b.WriteString(" …")
					break
				}
				if k > 0 {
					b.WriteByte(' ')
				}
				fmt.Fprintf(&b, "%d:%s", v.Indices[k], formatFloat(v.Values[k]))
			}
			b.WriteByte(']')
			return b.String()
		}
	}
	return truncate(fmt.Sprint(Value(arr, i)))
}
