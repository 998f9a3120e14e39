# The seed pattern, without its hand-written loop: a module with the work in it, and handle_event(event_data,
# headers) as the hand-written loop called it. tslambda's stdio adapter (runtime/adapters/stdio.jl) includes this
# file once at init, so compilation happens before the first event, and calls handle_event once per event.
module Greeter
greet(name::AbstractString) = "hello " * name
end

# event_data: the event as JSON text; headers: the invocation's context (requestId, deadlineMs, traceId, …).
# Returns the result as JSON text. A thrown error becomes the invocation's error, with its type and message.
function handle_event(event_data::String, headers::Dict{String,String})
    m = match(r"\"name\"\s*:\s*\"([^\"]*)\"", event_data)
    name = m === nothing ? "world" : m[1]
    name == "crash" && error("refusing to greet crash")
    return "{\"greeting\":\"" * Greeter.greet(name) * "\",\"requestId\":\"" * headers["requestId"] * "\"}"
end

handle_event("{\"name\":\"warm-up\"}", Dict("requestId" => "init"))  # compiled at init, not on the first request
