package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/eddyml/eddy/pipeline"
)

// Open Inference Protocol v2 (KServe) REST: tensors in, tensors out.

type oipTensor struct {
	Name     string  `json:"name"`
	Shape    []int64 `json:"shape"`
	Datatype string  `json:"datatype"`
	Data     []byte  // raw JSON, a slice of the request body
}

type oipRequest struct {
	ID      string      `json:"id,omitempty"`
	Inputs  []oipTensor `json:"inputs"`
	Outputs []struct {
		Name string `json:"name"`
	} `json:"outputs,omitempty"`
}

type oipMeta struct {
	Name     string  `json:"name"`
	Datatype string  `json:"datatype"`
	Shape    []int64 `json:"shape"`
}

func oipType(t arrow.DataType) (string, int64) {
	switch t.ID() {
	case arrow.FLOAT64:
		return "FP64", 0
	case arrow.FLOAT32:
		return "FP32", 0
	case arrow.INT64:
		return "INT64", 0
	case arrow.INT32:
		return "INT32", 0
	case arrow.BOOL:
		return "BOOL", 0
	case arrow.STRING:
		return "BYTES", 0
	case arrow.FIXED_SIZE_LIST:
		return "FP64", int64(t.(*arrow.FixedSizeListType).Len())
	}
	return "BYTES", 0
}

func oipMetas(s *arrow.Schema, idx []int) []oipMeta {
	out := []oipMeta{}
	for _, i := range idx {
		f := s.Field(i)
		dt, d := oipType(f.Type)
		shape := []int64{-1}
		if d > 0 {
			shape = append(shape, d)
		}
		out = append(out, oipMeta{Name: f.Name, Datatype: dt, Shape: shape})
	}
	return out
}

func (s *Server) v2Lookup(r *http.Request) (*model, *Error) {
	return s.lookup(r.Context(), r.PathValue("model"), r.PathValue("version"))
}

func (s *Server) v2Metadata(w http.ResponseWriter, r *http.Request) {
	m, e := s.v2Lookup(r)
	if e != nil {
		writeV2Error(w, e)
		return
	}
	meta := map[string]any{"name": m.name, "versions": []string{strconv.FormatInt(m.version, 10)}, "platform": "eddy",
		"inputs": []oipMeta{}, "outputs": []oipMeta{}}
	if m.plan != nil {
		all := make([]int, m.plan.schema.NumFields())
		for i := range all {
			all[i] = i
		}
		meta["inputs"] = oipMetas(m.plan.schema, all)
		meta["outputs"] = oipMetas(m.outSchema, m.outIdx)
	}
	writeJSON(w, 200, meta)
}

func (s *Server) v2ModelReady(w http.ResponseWriter, r *http.Request) {
	m, e := s.v2Lookup(r)
	if e != nil {
		writeV2Error(w, e)
		return
	}
	writeJSON(w, 200, map[string]any{"name": m.name, "ready": true, "model_version": strconv.FormatInt(m.version, 10)})
}

func (s *Server) v2Infer(w http.ResponseWriter, r *http.Request) {
	m, e := s.v2Lookup(r)
	if e != nil {
		writeV2Error(w, e)
		return
	}
	body, e := s.readBody(w, r)
	if e != nil {
		writeV2Error(w, e)
		return
	}
	defer putBuf(body) // tensors' data alias the body
	req, e := decodeOIP(body.Bytes())
	if e != nil {
		writeV2Error(w, e)
		return
	}
	var err error
	mem := s.cfg.Allocator
	rec, e := tensorsToRecord(req.Inputs, m.plan, s.cfg.MaxRows, mem)
	if e != nil {
		writeV2Error(w, e)
		return
	}
	defer rec.Release()
	outSchema, idx := m.outSchema, m.outIdx
	if m.plan == nil {
		if outSchema, idx, err = m.outputs(rec.Schema()); err != nil {
			writeV2Error(w, errorf(CodeSchemaMismatch, "inputs: %v", err))
			return
		}
	}
	if len(req.Outputs) > 0 {
		idx = idx[:0:0]
		for _, o := range req.Outputs {
			i := outSchema.FieldIndices(o.Name)
			if len(i) == 0 {
				writeV2Error(w, errorf(CodeMissingFeature, "outputs.%s: not an output of model %q", o.Name, m.name))
				return
			}
			idx = append(idx, i[0])
		}
	}
	out, e := m.transform(pipeline.WithAllocator(r.Context(), mem), rec)
	if e != nil {
		s.logModelError(m, e)
		writeV2Error(w, e)
		return
	}
	defer out.Release()
	m.countRows(out.NumRows())
	var b bytes.Buffer
	b.WriteString(`{"model_name":`)
	b.Write(appendJSONString(nil, m.name))
	b.WriteString(`,"model_version":"`)
	b.WriteString(strconv.FormatInt(m.version, 10))
	b.WriteString(`"`)
	if req.ID != "" {
		b.WriteString(`,"id":`)
		b.Write(appendJSONString(nil, req.ID))
	}
	b.WriteString(`,"outputs":[`)
	n := out.NumRows()
	for k, i := range idx {
		if k > 0 {
			b.WriteByte(',')
		}
		f := out.Schema().Field(i)
		dt, d := oipType(f.Type)
		shape := []int64{n}
		if d > 0 {
			shape = append(shape, d)
		}
		sh, _ := json.Marshal(shape)
		fmt.Fprintf(&b, `{"name":%s,"datatype":"%s","shape":%s,"data":`, appendJSONString(nil, f.Name), dt, sh)
		b.Write(appendFlat(nil, out.Column(i)))
		b.WriteByte('}')
	}
	b.WriteString("]}\n")
	m.setHeaders(w.Header(), contentTypeJSON)
	w.Write(b.Bytes())
}

// appendFlat appends a column as a flat JSON array (vectors row-major).
func appendFlat(buf []byte, arr arrow.Array) []byte {
	buf = append(buf, '[')
	if l, ok := arr.(*array.FixedSizeList); ok {
		for i := 0; i < l.Len(); i++ {
			if i > 0 {
				buf = append(buf, ',')
			}
			row := appendValue(nil, l, i)
			if len(row) >= 2 && row[0] == '[' {
				row = row[1 : len(row)-1]
			}
			buf = append(buf, row...)
		}
		return append(buf, ']')
	}
	for i := 0; i < arr.Len(); i++ {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendValue(buf, arr, i)
	}
	return append(buf, ']')
}

// tensorsToRecord maps OIP input tensors to columns: each tensor is a
// column by name, shape [N] or [N,1] for scalars and [N,D] for vectors.
// Without a declared schema the types come from the datatypes.
func tensorsToRecord(inputs []oipTensor, p *plan, maxRows int, mem memoryAllocator) (arrow.Record, *Error) {
	if len(inputs) == 0 {
		return nil, errorf(CodeNoInstances, "inputs: empty")
	}
	byName := map[string]*oipTensor{}
	for i := range inputs {
		t := &inputs[i]
		if byName[t.Name] != nil {
			return nil, errorf(CodeBadTensor, "inputs.%s: given twice", t.Name)
		}
		byName[t.Name] = t
	}
	if p == nil {
		fields := make([]arrow.Field, 0, len(inputs))
		for _, t := range inputs {
			var dt arrow.DataType
			switch t.Datatype {
			case "FP64", "FP32", "FP16":
				dt = arrow.PrimitiveTypes.Float64
			case "INT64", "INT32", "INT16", "INT8", "UINT8", "UINT16", "UINT32", "UINT64":
				dt = arrow.PrimitiveTypes.Int64
			case "BOOL":
				dt = arrow.FixedWidthTypes.Boolean
			case "BYTES":
				dt = arrow.BinaryTypes.String
			default:
				return nil, errorf(CodeBadTensor, "inputs.%s: unknown datatype %q", t.Name, t.Datatype)
			}
			if len(t.Shape) == 2 && t.Shape[1] > 1 {
				if dt.ID() != arrow.FLOAT64 && dt.ID() != arrow.INT64 {
					return nil, errorf(CodeBadTensor, "inputs.%s: shape %v needs a numeric datatype", t.Name, t.Shape)
				}
				dt = vectorType(int(t.Shape[1]))
			}
			fields = append(fields, arrow.Field{Name: t.Name, Type: dt})
		}
		var err error
		if p, err = newPlan(arrow.NewSchema(fields, nil)); err != nil {
			return nil, errorf(CodeBadTensor, "inputs: %v", err)
		}
	}
	hint := 1
	if len(inputs[0].Shape) > 0 && inputs[0].Shape[0] > 0 && inputs[0].Shape[0] <= int64(maxRows) {
		hint = int(inputs[0].Shape[0])
	}
	cs := newColumns(p, hint)
	rows := int64(-1)
	for c, f := range p.schema.Fields() {
		t := byName[f.Name]
		if t == nil {
			return nil, errorf(CodeMissingFeature, "inputs.%s: missing feature", f.Name)
		}
		if len(t.Shape) == 0 || len(t.Shape) > 2 || t.Shape[0] < 0 {
			return nil, errorf(CodeBadTensor, "inputs.%s: shape %v: want [N] or [N,D]", f.Name, t.Shape)
		}
		n := t.Shape[0]
		if rows >= 0 && n != rows {
			return nil, errorf(CodeBadTensor, "inputs.%s: %d rows, other inputs have %d", f.Name, n, rows)
		}
		rows = n
		if n > int64(maxRows) {
			return nil, errorf(CodeTooManyRows, "inputs.%s: %d rows exceed the limit of %d", f.Name, n, maxRows)
		}
		width := int64(1)
		if len(t.Shape) == 2 {
			width = t.Shape[1]
		}
		if p.kinds[c] == kVector && width != int64(p.dims[c]) || p.kinds[c] != kVector && width != 1 {
			want := "[N] or [N,1]"
			if p.kinds[c] == kVector {
				want = fmt.Sprintf("[N,%d]", p.dims[c])
			}
			return nil, errorf(CodeBadTensor, "inputs.%s: shape %v: want %s", f.Name, t.Shape, want)
		}
		if e := fillTensor(cs, c, t, n*width); e != nil {
			return nil, e
		}
	}
	cs.rows = int(rows)
	rec, err := cs.record(mem)
	if err != nil {
		return nil, errorf(CodeInternal, "build batch: %v", err)
	}
	return rec, nil
}

// fillTensor decodes t.Data (flat or nested) into column c, checking that
// it holds exactly want elements.
func fillTensor(cs *columns, c int, t *oipTensor, want int64) *Error {
	s := &scanner{b: t.Data}
	k := cs.p.kinds[c]
	var got int64
	var walk func(depth int) *Error
	walk = func(depth int) *Error {
		if depth > 8 {
			return errorf(CodeBadTensor, "inputs.%s.data: nested too deep", t.Name)
		}
		if !s.eat('[') {
			return errorf(CodeBadTensor, "inputs.%s.data: want array, got %s", t.Name, s.kindName())
		}
		if s.eat(']') {
			return nil
		}
		for {
			if s.peek() == '[' {
				if e := walk(depth + 1); e != nil {
					return e
				}
			} else {
				if got >= want {
					return errorf(CodeBadTensor, "inputs.%s.data: more than the %d elements its shape %v holds", t.Name, want, t.Shape)
				}
				where := func() string { return fmt.Sprintf("inputs.%s.data[%d]", t.Name, got) }
				switch k {
				case kFloat64, kFloat32, kVector, kInt64, kInt32:
					lit, ok := s.numLit()
					if !ok {
						return errorf(CodeWrongType, "%s: want number, got %s", where(), s.kindName())
					}
					if k == kInt64 || k == kInt32 {
						iv, err := strconv.ParseInt(unsafeString(lit), 10, 64)
						if err != nil {
							return errorf(CodeInvalidValue, "%s: want integer, got %s", where(), lit)
						}
						cs.i64[c] = append(cs.i64[c], iv)
					} else {
						v, ok := parseNumber(lit)
						if !ok {
							return errorf(CodeInvalidValue, "%s: %s out of range", where(), lit)
						}
						cs.f64[c] = append(cs.f64[c], v)
					}
				case kBool:
					switch {
					case s.lit("true"):
						cs.bools[c] = append(cs.bools[c], true)
					case s.lit("false"):
						cs.bools[c] = append(cs.bools[c], false)
					default:
						return errorf(CodeWrongType, "%s: want boolean, got %s", where(), s.kindName())
					}
				case kString:
					if s.peek() != '"' {
						return errorf(CodeWrongType, "%s: want string, got %s", where(), s.kindName())
					}
					b, e := s.str()
					if e != nil {
						return e
					}
					cs.strs[c] = append(cs.strs[c], string(b))
				}
				got++
			}
			if s.eat(']') {
				return nil
			}
			if !s.eat(',') {
				return errorf(CodeBadTensor, "inputs.%s.data: want ',' or ']', got %s", t.Name, s.kindName())
			}
		}
	}
	if e := walk(0); e != nil {
		return e
	}
	if got != want {
		return errorf(CodeBadTensor, "inputs.%s.data: %d elements, shape %v needs %d", t.Name, got, t.Shape, want)
	}
	return nil
}

// decodeOIP reads an inference request with the JSON scanner; each
// tensor's data stays a slice of body, decoded by fillTensor straight
// into its column.
func decodeOIP(body []byte) (*oipRequest, *Error) {
	s := &scanner{b: body}
	req := &oipRequest{}
	err := s.object("body", func(key string) *Error {
		switch key {
		case "id":
			b, e := s.str()
			if e != nil {
				return e
			}
			req.ID = string(b)
		case "inputs":
			return s.array("inputs", func() *Error {
				var t oipTensor
				e := s.object("inputs[]", func(key string) *Error {
					switch key {
					case "name":
						b, e := s.str()
						t.Name = string(b)
						return e
					case "datatype":
						b, e := s.str()
						t.Datatype = string(b)
						return e
					case "shape":
						t.Shape = t.Shape[:0]
						return s.array("shape", func() *Error {
							lit, ok := s.numLit()
							if !ok {
								return errorf(CodeBadJSON, "inputs.%s.shape: want integers, got %s", t.Name, s.kindName())
							}
							n, err := strconv.ParseInt(unsafeString(lit), 10, 64)
							if err != nil {
								return errorf(CodeBadTensor, "inputs.%s.shape: %s is not an integer", t.Name, lit)
							}
							t.Shape = append(t.Shape, n)
							return nil
						})
					case "data":
						s.ws()
						start := s.i
						if e := s.skip(0); e != nil {
							return e
						}
						t.Data = s.b[start:s.i]
						return nil
					}
					return s.skip(0)
				})
				req.Inputs = append(req.Inputs, t)
				return e
			})
		case "outputs":
			return s.array("outputs", func() *Error {
				var name string
				e := s.object("outputs[]", func(key string) *Error {
					if key == "name" {
						b, e := s.str()
						name = string(b)
						return e
					}
					return s.skip(0)
				})
				req.Outputs = append(req.Outputs, struct {
					Name string `json:"name"`
				}{name})
				return e
			})
		default:
			return s.skip(0)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if s.peek() != 0 {
		return nil, s.syntax("end of input")
	}
	return req, nil
}

// object reads {"key": value, ...}, calling fn for each key with the
// scanner on the value; fn must consume it.
func (s *scanner) object(what string, fn func(key string) *Error) *Error {
	if !s.eat('{') {
		return errorf(CodeBadJSON, "%s: want object, got %s", what, s.kindName())
	}
	if s.eat('}') {
		return nil
	}
	for {
		key, e := s.str()
		if e != nil {
			return e
		}
		if !s.eat(':') {
			return s.syntax("':'")
		}
		if e := fn(unsafeString(key)); e != nil {
			return e
		}
		if s.eat('}') {
			return nil
		}
		if !s.eat(',') {
			return s.syntax("',' or '}'")
		}
	}
}

// array reads [value, ...], calling fn with the scanner on each value.
func (s *scanner) array(what string, fn func() *Error) *Error {
	if !s.eat('[') {
		return errorf(CodeBadJSON, "%s: want array, got %s", what, s.kindName())
	}
	if s.eat(']') {
		return nil
	}
	for {
		if e := fn(); e != nil {
			return e
		}
		if s.eat(']') {
			return nil
		}
		if !s.eat(',') {
			return s.syntax("',' or ']'")
		}
	}
}
