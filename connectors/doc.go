// Package connectors is the common ground of Eddy's sources and sinks: the
// Source and Writer interfaces, read and write options (batch size,
// allocator, explicit schema, what to do with a bad row), the RowError that
// names file, line, column and value, and a registry of file formats keyed
// by kind and file extension.
//
// # Formats
//
// Each format lives in its own package (connectors/csv, connectors/jsonl,
// connectors/parquet, connectors/arrowipc) and registers itself in init.
// Import connectors/all to get every format, then Open and Create pick the
// format from the file name; a trailing ".gz" is looked through.
//
// # Bad input
//
// By default a reader stops at the first bad row with a *RowError. Under the
// Skip policy it counts the row (Source.Skipped), writes its raw text to the
// dead-letter writer if one is set, and goes on. Nothing is dropped silently.
package connectors
