# tslambda stdio adapter for Julia (no packages needed). In lambda.config.json:
#   "program": {"command": ["julia", "--project=/var/task", "/opt/tslambda/runtime/adapters/stdio.jl", "handler.jl"]}
# includes handler.jl once: it defines handle_event(event_data::String, headers::Dict{String,String}) returning the
# result as JSON text (the hand-written-loop signature). The context comes first and is flat, so each line splits at
# its first `},"event":` and no JSON parser is needed.
include(abspath(ARGS[1]))
println(stdout, "@tslambda {\"ready\":true}")  # compiled and loaded: init may end (program.awaitReady)
flush(stdout)
json_string(s) = "\"" * join(c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c < ' ' ? "\\u" * string(UInt16(c), base=16, pad=4) : string(c) for c in s) * "\""
function headers_of(context)
    fields = Dict{String,String}()
    for m in eachmatch(r"\"(\w+)\":(\"((?:[^\"\\]|\\.)*)\"|[^,}]*)", context)
        fields[m[1]] = m[3] === nothing ? m[2] : unescape_string(m[3])
    end
    fields
end
for line in eachline(stdin)
    cut = findfirst("},\"event\":", line)
    answer = try
        "{\"result\":" * handle_event(line[last(cut)+1:end-1], headers_of(line[12:first(cut)])) * "}"
    catch err
        Base.display_error(stderr, err, catch_backtrace())
        "{\"error\":{\"type\":" * json_string(string(nameof(typeof(err)))) * ",\"message\":" * json_string(sprint(showerror, err)) * "}}"
    end
    println(stdout, "@tslambda ", answer)
    flush(stdout)
end
