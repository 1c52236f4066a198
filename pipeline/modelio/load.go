package modelio

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/internal/ipcverify"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/registry"
)

// fileSource reads the files of a saved stage by slash-separated relative
// name; where names a file in errors.
type fileSource interface {
	read(name string) ([]byte, error)
	where(name string) string
}

// Load reads a stage saved by Save, SaveDir or SaveFile: a directory or a
// tar file (told apart by what path is, not by its name). Kinds are
// resolved with opts.Env; a model gets its data with SetModelData. Errors
// name the file at fault: a missing or corrupted file, a newer format
// version (ErrNewerFormat), an unknown kind (registry.ErrUnknownKind) or
// an invalid param.
func Load(path string, opts *Options) (pipeline.Stage, error) {
	src, err := open(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	s, err := decode(src, "", opts, 0)
	if err != nil {
		return nil, fmt.Errorf("load %w", err)
	}
	return s, nil
}

// ReadMetadata returns the metadata of the stage saved at path (a
// directory or a tar file), without building it.
func ReadMetadata(path string) (*Metadata, error) {
	src, err := open(path)
	if err != nil {
		return nil, fmt.Errorf("read metadata %s: %w", path, err)
	}
	b, err := src.read(MetadataFile)
	if err != nil {
		return nil, fmt.Errorf("read metadata %s: %w", src.where(MetadataFile), err)
	}
	m, err := DecodeMetadata(b)
	if err != nil {
		return nil, fmt.Errorf("read metadata %s: %w", src.where(MetadataFile), err)
	}
	return m, nil
}

func open(path string) (fileSource, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return dirSource(path), nil
	}
	return readTar(path)
}

type dirSource string

func (d dirSource) read(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(string(d), filepath.FromSlash(name)))
}

func (d dirSource) where(name string) string {
	return filepath.Join(string(d), filepath.FromSlash(name))
}

type tarSource struct {
	path  string
	files map[string][]byte
}

func (t *tarSource) read(name string) ([]byte, error) {
	b, ok := t.files[name]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return b, nil
}

func (t *tarSource) where(name string) string { return t.path + ":" + name }

// maxTarEntries bounds the number of files a tar may hold.
const maxTarEntries = 1 << 16

// readTar reads the whole archive into memory: Arrow IPC files need
// random access, and saved models are meant to fit in memory anyway.
func readTar(p string) (*tarSource, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src := &tarSource{path: p, files: map[string][]byte{}}
	tr := tar.NewReader(f)
	for n := 0; ; n++ {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not a valid tar file (entry %d): %w", n, err)
		}
		if n >= maxTarEntries {
			return nil, fmt.Errorf("more than %d entries", maxTarEntries)
		}
		name := path.Clean(hdr.Name)
		if path.IsAbs(name) || name == ".." || len(name) >= 3 && name[:3] == "../" {
			return nil, fmt.Errorf("entry %q escapes the archive", hdr.Name)
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			continue
		case tar.TypeReg:
		default:
			return nil, fmt.Errorf("entry %q: unsupported type %q", hdr.Name, hdr.Typeflag)
		}
		if _, dup := src.files[name]; dup {
			return nil, fmt.Errorf("entry %q appears twice", name)
		}
		var buf bytes.Buffer
		if _, err := io.Copy(&buf, tr); err != nil {
			return nil, fmt.Errorf("not a valid tar file: entry %q: %w", name, err)
		}
		src.files[name] = buf.Bytes()
	}
	if len(src.files) == 0 {
		return nil, errors.New("not a saved stage: empty or not a tar file")
	}
	return src, nil
}

// decode builds the stage under prefix. Its errors start with the file at
// fault (Load prefixes "load ").
func decode(src fileSource, prefix string, opts *Options, depth int) (pipeline.Stage, error) {
	metaName := prefix + MetadataFile
	fail := func(name string, err error) error { return fmt.Errorf("%s: %w", src.where(name), err) }
	if depth > maxDepth {
		return nil, fail(metaName, fmt.Errorf("stages nested deeper than %d", maxDepth))
	}
	b, err := src.read(metaName)
	if err != nil {
		return nil, fail(metaName, err)
	}
	meta, err := DecodeMetadata(b)
	if err != nil {
		return nil, fail(metaName, err)
	}
	children := make([]pipeline.Stage, len(meta.Stages))
	for i, entry := range meta.Stages {
		c, err := decode(src, prefix+entry+"/", opts, depth+1)
		if err != nil {
			return nil, err
		}
		if c.Kind() != childKind(entry) {
			return nil, fail(prefix+entry+"/"+MetadataFile, fmt.Errorf("kind %q does not match directory %q", c.Kind(), entry))
		}
		children[i] = c
	}
	env := opts.env()
	info, err := env.Lookup(meta.Kind)
	if err != nil {
		return nil, fail(metaName, err)
	}
	if !info.Composite && len(meta.Stages) > 0 {
		return nil, fail(metaName, fmt.Errorf("stage %q is not composite but lists %d child stages", meta.Kind, len(meta.Stages)))
	}
	s, err := env.NewWithChildren(meta.Kind, meta.Params, children)
	if err != nil {
		return nil, fail(metaName, err)
	}
	typ, err := registry.TypeOf(s)
	if err != nil {
		return nil, fail(metaName, err)
	}
	if string(typ) != meta.Type {
		return nil, fail(metaName, fmt.Errorf("metadata says stage %q is a %s, but this eddy builds a %s", meta.Kind, meta.Type, typ))
	}
	if len(meta.Data) == 0 {
		return s, nil
	}
	m, ok := s.(pipeline.Model)
	if !ok {
		return nil, fail(metaName, fmt.Errorf("stage %q has model data but is not a model", meta.Kind))
	}
	recs := make([]arrow.Record, 0, len(meta.Data))
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	for _, d := range meta.Data {
		name := prefix + d.File
		b, err := src.read(name)
		if err != nil {
			return nil, fail(name, err)
		}
		if int64(len(b)) != d.Size {
			return nil, fail(name, fmt.Errorf("corrupted data file: %d bytes, metadata says %d", len(b), d.Size))
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != d.SHA256 {
			return nil, fail(name, fmt.Errorf("corrupted data file: sha256 %x, metadata says %s", sum, d.SHA256))
		}
		rec, err := readIPC(b)
		if err != nil {
			return nil, fail(name, err)
		}
		recs = append(recs, rec)
	}
	if err := m.SetModelData(recs...); err != nil {
		return nil, fail(prefix+meta.Data[0].File, fmt.Errorf("stage %q: set model data: %w", meta.Kind, err))
	}
	return s, nil
}

// readIPC decodes an Arrow IPC file holding exactly one record batch.
//
// The arrow reader trusts the buffer sizes in the file and panics on
// corrupted flatbuffers, so it decodes into a private, garbage-collected
// allocator with a budget: a buffer larger than the file could hold fails
// instead of allocating terabytes, a panic becomes an error, and what a
// failed decode allocated is left to the garbage collector. Eddy writes
// uncompressed IPC; a compressed file that expands more than 16 times is
// refused. The record needs no Release (calling it is harmless).
func readIPC(b []byte) (rec arrow.Record, err error) {
	defer func() {
		if r := recover(); r != nil {
			rec, err = nil, fmt.Errorf("corrupted arrow ipc file: %v", r)
		}
	}()
	if err := checkFooter(b); err != nil {
		return nil, fmt.Errorf("corrupted arrow ipc file: %w", err)
	}
	mem := &budgetAllocator{mem: memory.NewGoAllocator(), left: 16*int64(len(b)) + 1<<16}
	fr, err := ipc.NewFileReader(bytes.NewReader(b), ipc.WithAllocator(mem))
	if err != nil {
		return nil, fmt.Errorf("corrupted arrow ipc file: %w", err)
	}
	defer fr.Close()
	if n := fr.NumRecords(); n != 1 {
		return nil, fmt.Errorf("corrupted arrow ipc file: %d record batches, want 1", n)
	}
	rec, err = fr.RecordAt(0)
	if err != nil {
		return nil, fmt.Errorf("corrupted arrow ipc file: %w", err)
	}
	if err := validate(rec); err != nil {
		return nil, fmt.Errorf("corrupted arrow ipc file: %w", err)
	}
	return rec, nil
}

// budgetAllocator panics once more than left bytes have been asked for;
// readIPC recovers the panic.
type budgetAllocator struct {
	mem  memory.Allocator
	left int64
}

func (a *budgetAllocator) charge(size, grow int) {
	if size < 0 {
		panic(fmt.Sprintf("a buffer of %d bytes", size))
	}
	if grow > 0 {
		a.left -= int64(grow)
		if a.left < 0 {
			panic(fmt.Sprintf("a buffer of %d bytes is larger than the file allows", size))
		}
	}
}

func (a *budgetAllocator) Allocate(n int) []byte { a.charge(n, n); return a.mem.Allocate(n) }

func (a *budgetAllocator) Reallocate(n int, b []byte) []byte {
	a.charge(n, n-len(b))
	return a.mem.Reallocate(n, b)
}

func (a *budgetAllocator) Free(b []byte) { a.mem.Free(b) }

// validate checks the decoded arrays' buffers against their lengths, so a
// corrupted body fails here rather than in a later Transform.
func validate(rec arrow.Record) error {
	for i, c := range rec.Columns() {
		if err := ipcverify.ValidateArray(c); err != nil {
			return fmt.Errorf("column %q: %w", rec.ColumnName(i), err)
		}
	}
	return nil
}
