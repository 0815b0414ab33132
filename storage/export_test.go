package storage

// SummaryFormat lets the external tests build summaries of a bad layout.
const SummaryFormat = summaryFormat
