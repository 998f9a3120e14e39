# tslambda stdio adapter for Python 3 (standard library only). In lambda.config.json:
#   "program": {"command": ["python3", "/opt/tslambda/runtime/adapters/stdio.py", "app.handler"]}
# imports app.py from the task root once, then answers one line per event with handler(event, context).
import importlib, json, sys, time, traceback, types

sys.path.insert(0, '.')
module_name, _, function_name = sys.argv[1].rpartition('.')
handler = getattr(importlib.import_module(module_name), function_name)
print('@tslambda {"ready": true}', flush=True)  # loaded: init may end (program.awaitReady)
for line in sys.stdin:
    frame = json.loads(line)
    c = frame['context']
    context = types.SimpleNamespace(
        aws_request_id=c['requestId'], invoked_function_arn=c['invokedFunctionArn'], function_name=c['functionName'],
        function_version=c['functionVersion'], memory_limit_in_mb=c['memoryLimitInMB'], log_group_name=c['logGroupName'],
        log_stream_name=c['logStreamName'], trace_id=c['traceId'],
        client_context=json.loads(c['clientContext'] or 'null'), identity=json.loads(c['identity'] or 'null'),
        get_remaining_time_in_millis=lambda: int(c['deadlineMs'] - time.time() * 1000))
    try:
        answer = json.dumps({'result': handler(frame['event'], context)})
    except Exception as error:
        traceback.print_exc()
        answer = json.dumps({'error': {'type': type(error).__name__, 'message': str(error)}})
    sys.stdout.write('@tslambda ' + answer + '\n')
    sys.stdout.flush()  # print() lines before the answer stay before it
