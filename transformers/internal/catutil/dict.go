package catutil

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
)

// Index values Lookup writes for rows without a known label.
const (
	Unseen  = -1 // a value that is not in the dictionary
	Invalid = -2 // null or NaN
)

// maxExact bounds the integral floats rendered and looked up as integers:
// every integer of magnitude up to 2^53 is exact in a float64.
const maxExact = 1 << 53

// IsCategorical reports whether Label and Dict.Lookup accept columns of
// type dt: strings, booleans, integers and floats.
func IsCategorical(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.BOOL,
		arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64:
		return true
	}
	return false
}

// FormatFloat renders v as a label: an integral value of magnitude up to
// 2^53 as a decimal integer ("3", not "3.0"), any other as the shortest
// text that parses back to v ("0.5", "1e+300").
func FormatFloat(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) <= maxExact {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Label returns row i of a categorical column as a label, and false for a
// null or NaN value. It allocates for non-string columns; hot loops use
// Dict.Lookup or Counter.Add.
func Label(arr arrow.Array, i int) (string, bool) {
	if arr.IsNull(i) {
		return "", false
	}
	switch a := arr.(type) {
	case *array.String:
		return a.Value(i), true
	case *array.LargeString:
		return a.Value(i), true
	case *array.Boolean:
		return strconv.FormatBool(a.Value(i)), true
	case *array.Float32:
		v := float64(a.Value(i))
		if math.IsNaN(v) {
			return "", false
		}
		return FormatFloat(v), true
	case *array.Float64:
		v := a.Value(i)
		if math.IsNaN(v) {
			return "", false
		}
		return FormatFloat(v), true
	case *array.Uint64:
		return strconv.FormatUint(a.Value(i), 10), true
	}
	if v, ok := intValue(arr, i); ok {
		return strconv.FormatInt(v, 10), true
	}
	return "", false
}

func intValue(arr arrow.Array, i int) (int64, bool) {
	switch a := arr.(type) {
	case *array.Int8:
		return int64(a.Value(i)), true
	case *array.Int16:
		return int64(a.Value(i)), true
	case *array.Int32:
		return int64(a.Value(i)), true
	case *array.Int64:
		return a.Value(i), true
	case *array.Uint8:
		return int64(a.Value(i)), true
	case *array.Uint16:
		return int64(a.Value(i)), true
	case *array.Uint32:
		return int64(a.Value(i)), true
	}
	return 0, false
}

// Dict maps labels to their indices 0..Len()-1. It is immutable once
// built and safe for concurrent use.
type Dict struct {
	labels  []string
	byStr   StrTable // id = index
	byInt   map[int64]int32
	byFloat map[float64]int32
}

// NewDict returns the dictionary of labels, label i having index i.
// Duplicate labels are an error.
func NewDict(labels []string) (*Dict, error) {
	d := &Dict{
		labels:  slices.Clone(labels),
		byInt:   map[int64]int32{},
		byFloat: map[float64]int32{},
	}
	for i, l := range d.labels {
		if j, added := d.byStr.Add(l); !added {
			return nil, fmt.Errorf("labels %d and %d are both %q", j, i, l)
		}
		if v, err := strconv.ParseInt(l, 10, 64); err == nil {
			if _, ok := d.byInt[v]; !ok {
				d.byInt[v] = int32(i)
			}
			continue
		}
		f, err := strconv.ParseFloat(l, 64)
		if err != nil || math.IsNaN(f) {
			continue
		}
		if f == math.Trunc(f) && math.Abs(f) <= maxExact {
			if _, ok := d.byInt[int64(f)]; !ok {
				d.byInt[int64(f)] = int32(i)
			}
		} else if _, ok := d.byFloat[f]; !ok {
			d.byFloat[f] = int32(i)
		}
	}
	return d, nil
}

// Len returns the number of labels.
func (d *Dict) Len() int { return len(d.labels) }

// Labels returns the labels in index order; the slice must not be
// modified.
func (d *Dict) Labels() []string { return d.labels }

// Index returns the index of label, or Unseen.
func (d *Dict) Index(label string) int32 {
	return d.byStr.Find(label) // -1 is Unseen
}

func (d *Dict) float(v float64) int32 {
	if math.IsNaN(v) {
		return Invalid
	}
	var i int32
	var ok bool
	if v == math.Trunc(v) && math.Abs(v) <= maxExact {
		i, ok = d.byInt[int64(v)]
	} else {
		i, ok = d.byFloat[v]
	}
	if !ok {
		return Unseen
	}
	return i
}

func (d *Dict) int(v int64) int32 {
	if i, ok := d.byInt[v]; ok {
		return i
	}
	return Unseen
}

// Lookup writes the index of every row of arr to dst (len(dst) ==
// arr.Len()): the label's index, Unseen, or Invalid for a null or NaN. It
// allocates nothing.
func (d *Dict) Lookup(dst []int32, arr arrow.Array) error {
	if len(dst) != arr.Len() {
		return fmt.Errorf("lookup: %d slots for %d rows", len(dst), arr.Len())
	}
	switch a := arr.(type) {
	case *array.String:
		str, offs := stringValues(a)
		prev := offs[0]
		for i, end := range offs[1:] {
			dst[i] = d.byStr.Find(str[prev:end])
			prev = end
		}
	case *array.LargeString:
		for i := range dst {
			dst[i] = d.byStr.Find(a.Value(i))
		}
	case *array.Boolean:
		t, f := d.Index("true"), d.Index("false")
		for i := range dst {
			if a.Value(i) {
				dst[i] = t
			} else {
				dst[i] = f
			}
		}
	case *array.Float64:
		for i, v := range a.Float64Values() {
			dst[i] = d.float(v)
		}
	case *array.Float32:
		for i, v := range a.Float32Values() {
			dst[i] = d.float(float64(v))
		}
	case *array.Int64:
		for i, v := range a.Int64Values() {
			dst[i] = d.int(v)
		}
	case *array.Int32:
		for i, v := range a.Int32Values() {
			dst[i] = d.int(int64(v))
		}
	case *array.Uint64:
		for i, v := range a.Uint64Values() {
			if v > math.MaxInt64 {
				dst[i] = d.Index(strconv.FormatUint(v, 10))
			} else {
				dst[i] = d.int(int64(v))
			}
		}
	default:
		if !IsCategorical(arr.DataType()) {
			return fmt.Errorf("column of type %s is not categorical (want string, bool, integer or float)", arr.DataType())
		}
		for i := range dst {
			v, _ := intValue(arr, i)
			dst[i] = d.int(v)
		}
	}
	if arr.NullN() > 0 {
		for i := range dst {
			if arr.IsNull(i) {
				dst[i] = Invalid
			}
		}
	}
	return nil
}

// Counter counts the labels of a categorical column over many batches.
// The zero Counter is ready to use.
type Counter struct {
	str     StrTable
	strN    []int64 // count of string id
	ints    map[int64]int64
	floats  map[float64]int64
	Invalid int64 // nulls and NaNs seen
}

// Add counts every row of arr. String keys are copied, so arr may be
// released afterwards.
func (c *Counter) Add(arr arrow.Array) error {
	if c.ints == nil {
		c.ints, c.floats = map[int64]int64{}, map[float64]int64{}
	}
	nulls := arr.NullN() > 0
	valid := func(i int) bool {
		if nulls && arr.IsNull(i) {
			c.Invalid++
			return false
		}
		return true
	}
	switch a := arr.(type) {
	case *array.String:
		str, offs := stringValues(a)
		prev := offs[0]
		for i, end := range offs[1:] {
			if !nulls || valid(i) {
				c.addStr(str[prev:end])
			}
			prev = end
		}
	case *array.LargeString:
		for i := 0; i < a.Len(); i++ {
			if !nulls || valid(i) {
				c.addStr(a.Value(i))
			}
		}
	case *array.Boolean:
		for i := 0; i < a.Len(); i++ {
			if valid(i) {
				c.addStr(strconv.FormatBool(a.Value(i)))
			}
		}
	case *array.Float64:
		for i, v := range a.Float64Values() {
			if valid(i) {
				c.addFloat(v)
			}
		}
	case *array.Float32:
		for i, v := range a.Float32Values() {
			if valid(i) {
				c.addFloat(float64(v))
			}
		}
	case *array.Int64:
		for i, v := range a.Int64Values() {
			if valid(i) {
				c.ints[v]++
			}
		}
	case *array.Uint64:
		for i, v := range a.Uint64Values() {
			if valid(i) {
				c.addStr(strconv.FormatUint(v, 10))
			}
		}
	default:
		if !IsCategorical(arr.DataType()) {
			return fmt.Errorf("column of type %s is not categorical (want string, bool, integer or float)", arr.DataType())
		}
		for i := 0; i < arr.Len(); i++ {
			if valid(i) {
				v, _ := intValue(arr, i)
				c.ints[v]++
			}
		}
	}
	return nil
}

func (c *Counter) addStr(s string) int32 {
	id, added := c.str.Add(s)
	if added {
		c.strN = append(c.strN, 0)
	}
	c.strN[id]++
	return id
}

// AddStrings counts every row of a as Add does and writes to ids
// (len(ids) == a.Len()) the id of each row's string, -1 for a null: a
// string's id is its position in the order the counter first saw the
// strings; StringLabel maps it back.
func (c *Counter) AddStrings(ids []int32, a *array.String) error {
	if len(ids) != a.Len() {
		return fmt.Errorf("add strings: %d slots for %d rows", len(ids), a.Len())
	}
	if c.ints == nil {
		c.ints, c.floats = map[int64]int64{}, map[float64]int64{}
	}
	nulls := a.NullN() > 0
	str, offs := stringValues(a)
	prev := offs[0]
	for i, end := range offs[1:] {
		if nulls && a.IsNull(i) {
			c.Invalid++
			ids[i] = -1
		} else if id := c.str.Find(str[prev:end]); id >= 0 {
			// Most rows repeat a string already seen: Find is cheaper
			// than Add.
			ids[i] = id
			c.strN[id]++
		} else {
			ids[i] = c.addStr(str[prev:end])
		}
		prev = end
	}
	return nil
}

// NumStrings returns the number of distinct strings counted.
func (c *Counter) NumStrings() int { return c.str.Len() }

// StringLabel returns the string of id (see AddStrings).
func (c *Counter) StringLabel(id int32) string { return c.str.String(id) }

func (c *Counter) addFloat(v float64) {
	switch {
	case math.IsNaN(v):
		c.Invalid++
	case v == math.Trunc(v) && math.Abs(v) <= maxExact:
		c.ints[int64(v)]++
	default:
		c.floats[v]++
	}
}

// LabelCount is a label and how many times it was counted.
type LabelCount struct {
	Label string
	Count int64
}

// Counts returns every label counted, with its count, in no particular
// order.
func (c *Counter) Counts() []LabelCount {
	m := make(map[string]int64, c.str.Len()+len(c.ints)+len(c.floats))
	for id, n := range c.strN {
		m[c.str.String(int32(id))] += n
	}
	for v, n := range c.ints {
		m[strconv.FormatInt(v, 10)] += n
	}
	for v, n := range c.floats {
		m[FormatFloat(v)] += n
	}
	out := make([]LabelCount, 0, len(m))
	for s, n := range m {
		out = append(out, LabelCount{s, n})
	}
	return out
}

// Orders of labels.
const (
	FrequencyDesc = "frequencyDesc"
	FrequencyAsc  = "frequencyAsc"
	AlphabetDesc  = "alphabetDesc"
	AlphabetAsc   = "alphabetAsc"
)

// SortLabels sorts counts in order (one of the order constants): by count
// with ties broken by label ascending (byte order), or by label.
func SortLabels(counts []LabelCount, order string) error {
	var f func(a, b LabelCount) int
	switch order {
	case FrequencyDesc:
		f = func(a, b LabelCount) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Label, b.Label))
		}
	case FrequencyAsc:
		f = func(a, b LabelCount) int {
			return cmp.Or(cmp.Compare(a.Count, b.Count), strings.Compare(a.Label, b.Label))
		}
	case AlphabetAsc:
		f = func(a, b LabelCount) int { return strings.Compare(a.Label, b.Label) }
	case AlphabetDesc:
		f = func(a, b LabelCount) int { return strings.Compare(b.Label, a.Label) }
	default:
		return fmt.Errorf("unknown order %q", order)
	}
	slices.SortFunc(counts, f)
	return nil
}

// AppendLabel appends the label of row i of a categorical column to dst
// (see Label) without allocating beyond dst's growth; ok is false for a
// null or NaN value.
func AppendLabel(dst []byte, arr arrow.Array, i int) (out []byte, ok bool) {
	if arr.IsNull(i) {
		return dst, false
	}
	switch a := arr.(type) {
	case *array.String:
		return append(dst, a.Value(i)...), true
	case *array.LargeString:
		return append(dst, a.Value(i)...), true
	case *array.Boolean:
		return strconv.AppendBool(dst, a.Value(i)), true
	case *array.Float32:
		return appendFloat(dst, float64(a.Value(i)))
	case *array.Float64:
		return appendFloat(dst, a.Value(i))
	case *array.Uint64:
		return strconv.AppendUint(dst, a.Value(i), 10), true
	}
	if v, ok := intValue(arr, i); ok {
		return strconv.AppendInt(dst, v, 10), true
	}
	return dst, false
}

func appendFloat(dst []byte, v float64) ([]byte, bool) {
	if math.IsNaN(v) {
		return dst, false
	}
	if v == math.Trunc(v) && math.Abs(v) <= maxExact {
		return strconv.AppendInt(dst, int64(v), 10), true
	}
	return strconv.AppendFloat(dst, v, 'g', -1, 64), true
}

// stringValues returns the value buffer of a as one string (aliasing the
// column's memory, no copy) and a's offsets into it, so that value i is
// str[offs[i]:offs[i+1]].
func stringValues(a *array.String) (str string, offs []int32) {
	offs = a.ValueOffsets()
	if buf := a.Data().Buffers()[2]; buf != nil && buf.Len() > 0 {
		data := buf.Bytes()
		str = unsafe.String(unsafe.SliceData(data), len(data))
	}
	return str, offs
}
