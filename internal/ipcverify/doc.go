// Package ipcverify checks Arrow IPC flatbuffer metadata before the
// arrow/go ipc package reads it.
//
// # Why
//
// arrow/go v17's ipc package trusts a file's flatbuffer metadata: a
// vector whose length field is corrupt makes it allocate that many
// elements (gigabytes) before anything fails, which no recover can catch.
// Message, Footer and Stream walk the parts of the metadata the ipc
// package allocates from (vectors and strings of Message, Schema, Field,
// KeyValue, RecordBatch, DictionaryBatch and Footer, per Arrow's
// format/Message.fbs, Schema.fbs and File.fbs) and check that every offset
// and length stays inside the buffer, with a bound on the number of tables
// visited. Used by connectors/arrowipc and connectors/parquet (whose files
// store the Arrow schema as an IPC message), pipeline/modelio (model data
// files) and online/modelstream (model versions on a stream).
//
// ValidateArray then checks a decoded array's buffers against its length
// and offsets, since the ipc reader does not, before code indexes into it.
package ipcverify
