// Package ctrdata regenerates and reads the peers' hashed CTR stream
// (../shared/peers/datagen.py, "ctr": 1,000,000 rows x 20 categorical
// fields hashed into 2^20 features, seed 42), ported from the peers' Go
// module (peers/go/datagen) with the same formulas and float operation
// order, for the online learners' tests, benchmarks and speed comparison.
//
// # Format
//
// The file format of ReadFile and WriteFile is the peers' ctr_1m.bin.gz:
// gzip of "PEERCTR1", u32 rows, u32 fields, u32 hash_bits, u32 0, rows x u8
// labels, rows*fields x u32 indices (little endian, row-major).
package ctrdata

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
)

// Stream constants of the peers' CTR data set.
const (
	Seed     = 42
	Rows     = 1_000_000
	Fields   = 20
	HashBits = 20
	scale    = 0.6
	bias     = -1.4
	magic    = "PEERCTR1"
	gamma    = 0x9E3779B97F4A7C15
	smul     = 0xD1B54A32D192ED03
)

var card = [Fields]uint64{4, 7, 12, 20, 35, 60, 100, 200, 400, 800,
	1500, 3000, 6000, 12000, 25000, 50000, 100000, 250000, 600000, 2000000}

func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

type stream struct{ base uint64 }

func newStream(seed, s uint64) stream { return stream{base: mix64(seed*gamma + s*smul)} }
func (s stream) unif(i uint64) float64 {
	return float64(mix64(s.base+(i+1)*gamma)>>11) * 0x1p-53
}

// Data is a CTR stream in memory: Idx is row-major Rows x Fields.
type Data struct {
	Rows, Fields, HashBits int
	Y                      []uint8
	Idx                    []uint32
}

// Generate returns the first rows rows of the stream of seed.
func Generate(seed uint64, rows int) *Data {
	sv, sy, sw := newStream(seed, 1), newStream(seed, 2), newStream(seed, 3)
	d := &Data{Rows: rows, Fields: Fields, HashBits: HashBits, Y: make([]uint8, rows), Idx: make([]uint32, rows*Fields)}
	for r := range rows {
		z := float64(bias)
		idx := d.Idx[r*Fields : (r+1)*Fields]
		for f := range Fields {
			u := sv.unif(uint64(r)*Fields + uint64(f))
			u3 := (u * u) * u
			c := card[f]
			v := uint64(math.Floor(float64(c) * u3))
			if v > c-1 {
				v = c - 1
			}
			key := uint64(f+1)<<32 | v
			idx[f] = uint32(mix64(key) >> (64 - HashBits))
			w := (2.0*sw.unif(key) - 1.0) * scale
			z = z + w
		}
		p := 1.0 / (1.0 + math.Exp(-z))
		if sy.unif(uint64(r)) < p {
			d.Y[r] = 1
		}
	}
	return d
}

// ManifestSHA256 is the sha256 of the full stream (seed 42, 1M rows) in
// the peers' manifest: the indices as little-endian u32, then the labels.
const ManifestSHA256 = "0e9ceeb021795164fe63acf18eb5e269ccb6c6de1a85fc98d185a5029193602f"

// SHA256 returns the hex sha256 of d's indices (little-endian u32) then
// labels, the checksum of peers/data/MANIFEST.json.
func SHA256(d *Data) string {
	h := sha256.New()
	b := make([]byte, 4*1024)
	for i := 0; i < len(d.Idx); i += 1024 {
		j := min(len(d.Idx), i+1024)
		for k, v := range d.Idx[i:j] {
			binary.LittleEndian.PutUint32(b[4*k:], v)
		}
		h.Write(b[:4*(j-i)])
	}
	h.Write(d.Y)
	return hex.EncodeToString(h.Sum(nil))
}

// WriteFile writes d in the peers' ctr_1m.bin.gz format.
func WriteFile(path string, d *Data) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(f)
	bw := bufio.NewWriterSize(zw, 1<<20)
	hdr := make([]byte, 24)
	copy(hdr, magic)
	binary.LittleEndian.PutUint32(hdr[8:], uint32(d.Rows))
	binary.LittleEndian.PutUint32(hdr[12:], uint32(d.Fields))
	binary.LittleEndian.PutUint32(hdr[16:], uint32(d.HashBits))
	bw.Write(hdr)
	bw.Write(d.Y)
	var b [4]byte
	for _, v := range d.Idx {
		binary.LittleEndian.PutUint32(b[:], v)
		bw.Write(b[:])
	}
	err = errors.Join(bw.Flush(), zw.Close())
	return errors.Join(err, f.Close())
}

// ReadFile reads a file written by WriteFile or peers/datagen.py.
func ReadFile(path string) (*Data, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return nil, err
	}
	r := bufio.NewReaderSize(zr, 1<<20)
	hdr := make([]byte, 24)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, err
	}
	if string(hdr[:8]) != magic {
		return nil, fmt.Errorf("%s: not a PEERCTR1 file", path)
	}
	d := &Data{
		Rows:     int(binary.LittleEndian.Uint32(hdr[8:])),
		Fields:   int(binary.LittleEndian.Uint32(hdr[12:])),
		HashBits: int(binary.LittleEndian.Uint32(hdr[16:])),
	}
	if d.Rows > 1<<28 || d.Fields > 1<<10 || d.HashBits > 31 {
		return nil, fmt.Errorf("%s: implausible header %d x %d, %d bits", path, d.Rows, d.Fields, d.HashBits)
	}
	d.Y = make([]uint8, d.Rows)
	if _, err := io.ReadFull(r, d.Y); err != nil {
		return nil, err
	}
	raw := make([]byte, 4*d.Rows*d.Fields)
	if _, err := io.ReadFull(r, raw); err != nil {
		return nil, err
	}
	d.Idx = make([]uint32, d.Rows*d.Fields)
	for i := range d.Idx {
		d.Idx[i] = binary.LittleEndian.Uint32(raw[4*i:])
	}
	return d, nil
}

// Records returns the stream as Arrow records of batch rows each with a
// sparse vector column "features" of size 2^HashBits (each row's indices
// sorted, a feature hit by two fields holding 2.0) and an int64 "label"
// column. The caller owns one Release of each record.
func Records(mem memory.Allocator, d *Data, batch int) ([]arrow.Record, error) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "features", Type: table.SparseVectorType()},
		{Name: "label", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	var out []arrow.Record
	idx := make([]int32, 0, d.Fields)
	vals := make([]float64, 0, d.Fields)
	size := 1 << d.HashBits
	for r0 := 0; r0 < d.Rows; r0 += batch {
		n := min(batch, d.Rows-r0)
		sb := table.NewSparseVectorBuilder(mem)
		lb := array.NewInt64Builder(mem)
		lb.Reserve(n)
		for r := r0; r < r0+n; r++ {
			idx, vals = RowVector(d, r, idx, vals)
			if err := sb.Append(size, idx, vals); err != nil {
				sb.Release()
				lb.Release()
				for _, o := range out {
					o.Release()
				}
				return nil, err
			}
			lb.UnsafeAppend(int64(d.Y[r]))
		}
		f, l := sb.NewArray(), lb.NewArray()
		sb.Release()
		lb.Release()
		out = append(out, array.NewRecord(schema, []arrow.Array{f, l}, int64(n)))
		f.Release()
		l.Release()
	}
	return out, nil
}

// RowVector writes row r as a sparse vector: sorted distinct indices, the
// count of fields hashed to each as its value.
func RowVector(d *Data, r int, idx []int32, vals []float64) ([]int32, []float64) {
	idx, vals = idx[:0], vals[:0]
	for _, v := range d.Idx[r*d.Fields : (r+1)*d.Fields] {
		idx = append(idx, int32(v))
	}
	slices.Sort(idx)
	k := 0
	for i, v := range idx {
		if i > 0 && v == idx[k-1] {
			vals[k-1]++
			continue
		}
		idx[k] = v
		vals = append(vals, 1)
		k++
	}
	return idx[:k], vals
}
