package httpapi

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/internal/trustedrec"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

// ContentTypeArrowStream is the media type of an Arrow IPC stream: a
// predict request with it carries record batches of the input columns
// and gets the returned columns back as a stream, with the model and
// version in the schema metadata ("model", "model_version") and the
// Eddy-Model-Version header.
const ContentTypeArrowStream = "application/vnd.apache.arrow.stream"

func isArrowStream(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == ContentTypeArrowStream
}

// predictArrow scores an Arrow IPC stream body. Every batch is scored
// before anything is written, so an error is still a JSON error.
func (s *Server) predictArrow(w http.ResponseWriter, r *http.Request, m *model) {
	body, e := s.readBody(w, r)
	if e != nil {
		writeError(w, e, m.version)
		return
	}
	defer putBuf(body)
	mem := s.cfg.Allocator
	outs, schema, e := s.scoreArrow(r, m, body.Bytes(), mem)
	defer func() {
		for _, o := range outs {
			o.Release()
		}
	}()
	if e != nil {
		writeError(w, e, m.version)
		return
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer putBuf(buf)
	wr := ipc.NewWriter(buf, ipc.WithSchema(schema), ipc.WithAllocator(mem))
	for _, o := range outs {
		if err := wr.Write(o); err != nil {
			wr.Close()
			writeError(w, errorf(CodeInternal, "encode arrow stream: %v", err), m.version)
			return
		}
	}
	if err := wr.Close(); err != nil {
		writeError(w, errorf(CodeInternal, "encode arrow stream: %v", err), m.version)
		return
	}
	h := w.Header()
	m.setHeaders(h, contentTypeArrow)
	w.Write(buf.Bytes())
}

// scoreArrow transforms every batch of the stream in body and returns
// the returned columns of each (the caller releases them) and their
// schema.
func (s *Server) scoreArrow(r *http.Request, m *model, body []byte, mem memory.Allocator) ([]arrow.Record, *arrow.Schema, *Error) {
	rd, err := ipc.NewReader(bytes.NewReader(body), ipc.WithAllocator(mem))
	if err != nil {
		return nil, nil, errorf(CodeBadJSON, "body: arrow stream: %v", err)
	}
	defer rd.Release()
	schema, idx, e := m.arrowOutputs(rd.Schema())
	if e != nil {
		return nil, nil, e
	}
	ctx := pipeline.WithAllocator(r.Context(), mem)
	var outs []arrow.Record
	rows := int64(0)
	for rd.Next() {
		rec := rd.Record()
		if rows += rec.NumRows(); rows > int64(s.cfg.MaxRows) {
			return outs, nil, errorf(CodeTooManyRows, "arrow stream: more than %d rows (the limit)", s.cfg.MaxRows)
		}
		out, e := m.transform(ctx, rec)
		if e != nil {
			s.logModelError(m, e)
			return outs, nil, e
		}
		cols := make([]arrow.Array, len(idx))
		for j, i := range idx {
			cols[j] = out.Column(i)
		}
		sel, err := trustedrec.New(schema, cols, out.NumRows())
		out.Release()
		if err != nil {
			return outs, nil, errorf(CodeInternal, "arrow stream: %v", err)
		}
		outs = append(outs, sel)
		m.countRows(sel.NumRows())
	}
	if err := rd.Err(); err != nil && !errors.Is(err, io.EOF) {
		return outs, nil, errorf(CodeBadJSON, "body: arrow stream: %v", err)
	}
	if rows == 0 {
		return outs, nil, errorf(CodeNoInstances, "arrow stream: no rows")
	}
	return outs, schema, nil
}

// arrowPlan is what an Arrow request's input schema gives: the returned
// columns' indices in the model's output and their schema.
type arrowPlan struct {
	in     *arrow.Schema
	idx    []int
	schema *arrow.Schema
}

// arrowOutputs checks an Arrow request's input schema against the
// model's declared input and returns the returned columns' schema (with
// the model and version in its metadata) and indices. Clients send one
// schema over and over: the answer for the last one is cached.
func (m *model) arrowOutputs(in *arrow.Schema) (*arrow.Schema, []int, *Error) {
	if p := m.arrow.Load(); p != nil && table.SameSchema(p.in, in) {
		return p.schema, p.idx, nil
	}
	if m.plan != nil {
		// Declared columns must be there, with their types.
		for _, f := range m.plan.schema.Fields() {
			i := in.FieldIndices(f.Name)
			if len(i) == 0 {
				return nil, nil, errorf(CodeMissingFeature, "arrow stream: column %q: missing feature", f.Name)
			}
			if got := in.Field(i[0]).Type; !table.SameType(got, f.Type) {
				return nil, nil, errorf(CodeWrongType, "arrow stream: column %q: type %s, want %s", f.Name, got, f.Type)
			}
		}
	}
	outSchema, idx, err := m.outputs(in)
	if err != nil {
		return nil, nil, errorf(CodeSchemaMismatch, "arrow stream: %v", err)
	}
	fields := make([]arrow.Field, len(idx))
	for j, i := range idx {
		fields[j] = outSchema.Field(i)
	}
	md := arrow.NewMetadata([]string{"model", "model_version"}, []string{m.name, strconv.FormatInt(m.version, 10)})
	p := &arrowPlan{in: in, idx: idx, schema: arrow.NewSchema(fields, &md)}
	m.arrow.Store(p)
	return p.schema, p.idx, nil
}
