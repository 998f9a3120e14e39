# tslambda stdio adapter for R (base R only). In lambda.config.json:
#   "program": {"command": ["Rscript", "/opt/tslambda/runtime/adapters/stdio.R", "handler.R"]}
# sources handler.R once: it defines handler(event_json, context_json) returning the result as JSON text. The
# context comes first and is flat, so each line splits at its first `},"event":` and no JSON package is needed.
source(commandArgs(trailingOnly = TRUE)[1])
cat("@tslambda {\"ready\":true}\n"); flush(stdout())
json_string <- function(s) {
  s <- gsub("\\", "\\\\", s, fixed = TRUE); s <- gsub("\"", "\\\"", s, fixed = TRUE)
  paste0("\"", gsub("\n", "\\n", s, fixed = TRUE), "\"")
}
input <- file("stdin", open = "r")
while (length(line <- readLines(input, n = 1, warn = FALSE)) > 0) {
  cut <- regexpr("},\"event\":", line, fixed = TRUE)
  answer <- tryCatch(
    paste0("{\"result\":", handler(substr(line, cut + 10, nchar(line) - 1), substr(line, 12, cut)), "}"),
    error = function(e) {
      message(conditionMessage(e))
      paste0("{\"error\":{\"type\":", json_string(class(e)[1]), ",\"message\":", json_string(conditionMessage(e)), "}}")
    })
  cat("@tslambda ", answer, "\n", sep = "")
  flush(stdout())
}
