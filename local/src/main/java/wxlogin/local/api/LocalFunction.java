package wxlogin.local.api;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * One function of the template, run in-process the way Lambda runs it: a bounded set of handler
 * instances ("execution environments"), created on demand (cold start), each serving one
 * invocation at a time, and an invocation cut off at the function's Timeout.
 */
final class LocalFunction implements AutoCloseable {

    enum Failure {
        /** Every instance busy for longer than the function's Timeout (Lambda: throttled). */
        BUSY,
        /** The invocation ran past the function's Timeout. */
        TIMEOUT,
        /** The handler (or its constructor) threw. */
        ERROR
    }

    static final class InvocationException extends Exception {
        private static final long serialVersionUID = 1L;
        final Failure failure;

        InvocationException(Failure failure, String message, Throwable cause) {
            super(message, cause);
            this.failure = failure;
        }
    }

    private final String logicalId;
    private final String handler;
    private final int timeoutSeconds;
    private final int memorySize;
    private final Map<String, String> environment;
    private final int maxInstances;
    private final ClassLoader loader;
    private final ObjectMapper mapper;
    private final ExecutorService executor;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private final Deque<Instance> idle = new ArrayDeque<>();
    private int live;

    private final AtomicLong invocations = new AtomicLong();
    private final AtomicInteger created = new AtomicInteger();

    LocalFunction(SamTemplate.Function def, Map<String, String> environment, int maxInstances,
                  ClassLoader loader, ObjectMapper mapper) {
        this.logicalId = def.logicalId();
        this.handler = def.handler();
        this.timeoutSeconds = Math.max(1, def.timeoutSeconds());
        this.memorySize = def.memorySize();
        this.environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        this.maxInstances = maxInstances;
        this.loader = loader;
        this.mapper = mapper;
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "lambda-" + logicalId + "-" + threads.incrementAndGet());
            t.setDaemon(true); // a runaway handler must not keep the JVM alive
            return t;
        });
    }

    String logicalId() {
        return logicalId;
    }

    Map<String, String> environment() {
        return environment;
    }

    long invocations() {
        return invocations.get();
    }

    int instancesCreated() {
        return created.get();
    }

    /**
     * Invokes the handler with the event (its JSON shape) and returns the handler's result as JSON,
     * as Lambda's runtime would have serialized it.
     */
    JsonNode invoke(Map<String, Object> event) throws InvocationException {
        long timeoutMillis = timeoutSeconds * 1000L;
        Instance instance = acquire(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
        invocations.incrementAndGet();
        LocalContext context = new LocalContext(UUID.randomUUID().toString(), logicalId, memorySize, timeoutMillis);
        Future<JsonNode> result = executor.submit(() -> {
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(loader);
            try {
                return instance.call(event, context);
            } finally {
                thread.setContextClassLoader(previous);
            }
        });
        try {
            JsonNode out = result.get(timeoutMillis, TimeUnit.MILLISECONDS);
            release(instance);
            return out;
        } catch (TimeoutException e) {
            // Lambda throws the whole environment away after a timeout; we interrupt and forget the
            // instance (a handler ignoring interrupts keeps a daemon thread until it finishes).
            result.cancel(true);
            discard(instance);
            throw new InvocationException(Failure.TIMEOUT,
                    logicalId + " timed out after " + timeoutSeconds + " s", null);
        } catch (ExecutionException e) {
            // Like Lambda's Java runtime: an exception from the handler leaves the instance usable.
            release(instance);
            throw new InvocationException(Failure.ERROR, logicalId + " threw", e.getCause());
        } catch (InterruptedException e) {
            result.cancel(true);
            discard(instance);
            Thread.currentThread().interrupt();
            throw new InvocationException(Failure.ERROR, logicalId + " interrupted", e);
        }
    }

    private Instance acquire(long deadlineNanos) throws InvocationException {
        lock.lock();
        try {
            while (true) {
                Instance ready = idle.pollFirst();
                if (ready != null) {
                    return ready;
                }
                if (live < maxInstances) {
                    live++; // reserve the slot; create outside the lock (a cold start can be slow)
                    break;
                }
                long wait = deadlineNanos - System.nanoTime();
                if (wait <= 0) {
                    throw new InvocationException(Failure.BUSY,
                            logicalId + ": all " + maxInstances + " instances busy for " + timeoutSeconds + " s", null);
                }
                try {
                    freed.awaitNanos(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InvocationException(Failure.BUSY, logicalId + ": interrupted while waiting", e);
                }
            }
        } finally {
            lock.unlock();
        }
        try {
            return create();
        } catch (Throwable t) {
            lock.lock();
            try {
                live--;
                freed.signal();
            } finally {
                lock.unlock();
            }
            Throwable cause = t instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : t;
            throw new InvocationException(Failure.ERROR, logicalId + ": cannot create handler " + handler, cause);
        }
    }

    private void release(Instance instance) {
        lock.lock();
        try {
            idle.addFirst(instance); // LIFO: a warm instance is reused first, as Lambda tends to
            freed.signal();
        } finally {
            lock.unlock();
        }
    }

    private void discard(Instance instance) {
        lock.lock();
        try {
            live--;
            freed.signal();
        } finally {
            lock.unlock();
        }
    }

    private Instance create() throws Exception {
        long start = System.nanoTime();
        String className = handler;
        String method = "handleRequest";
        int sep = handler == null ? -1 : handler.indexOf("::");
        if (sep >= 0) {
            className = handler.substring(0, sep);
            method = handler.substring(sep + 2);
        }
        if (className == null || className.isBlank()) {
            throw new IllegalStateException("no Handler in the template");
        }
        if (!"handleRequest".equals(method)) {
            throw new IllegalStateException("handler method " + method + ": only RequestHandler/RequestStreamHandler"
                    + " handleRequest is supported locally");
        }
        Class<?> type = Class.forName(className, true, loader);
        Object target;
        Constructor<?> withEnv = publicConstructor(type, Map.class);
        if (withEnv != null) {
            // Project convention: handlers take their environment as a Map so that several
            // functions can run in one JVM, each with its own variables.
            target = withEnv.newInstance(environment);
        } else {
            Constructor<?> noArg = publicConstructor(type);
            if (noArg == null) {
                throw new IllegalStateException(className + " has neither a public (Map<String,String>) nor a no-arg constructor");
            }
            // Such a handler (e.g. a cloud function that reads no variable) sees the JVM's environment.
            target = noArg.newInstance();
        }
        JavaType inputType = null;
        if (!(target instanceof RequestStreamHandler)) {
            if (!(target instanceof RequestHandler<?, ?>)) {
                throw new IllegalStateException(className + " implements neither RequestHandler nor RequestStreamHandler");
            }
            JavaType[] params = mapper.getTypeFactory().constructType(type).findTypeParameters(RequestHandler.class);
            inputType = params != null && params.length == 2 ? params[0] : mapper.getTypeFactory().constructType(Object.class);
        }
        int number = created.incrementAndGet();
        System.out.printf("[local-api] cold start %s (instance %d) in %d ms%n", logicalId, number,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return new Instance(target, inputType);
    }

    private static Constructor<?> publicConstructor(Class<?> type, Class<?>... params) {
        try {
            return type.getConstructor(params);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** One handler object: Lambda's execution environment, minus the sandbox. */
    private final class Instance {
        private final Object target;
        private final JavaType inputType;

        Instance(Object target, JavaType inputType) {
            this.target = target;
            this.inputType = inputType;
        }

        @SuppressWarnings("unchecked")
        JsonNode call(Map<String, Object> event, Context context) throws Exception {
            if (target instanceof RequestStreamHandler stream) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                stream.handleRequest(new ByteArrayInputStream(mapper.writeValueAsBytes(event)), out, context);
                return parseOutput(out.toByteArray());
            }
            Object input;
            Class<?> raw = inputType.getRawClass();
            if (raw == String.class) {
                input = mapper.writeValueAsString(event);
            } else {
                // Lambda deserializes the JSON event into the handler's declared input type.
                input = mapper.convertValue(event, inputType);
            }
            Object result = ((RequestHandler<Object, Object>) target).handleRequest(input, context);
            return result == null ? NullNode.getInstance() : mapper.valueToTree(result);
        }

        private JsonNode parseOutput(byte[] bytes) {
            if (bytes.length == 0) {
                return NullNode.getInstance();
            }
            try {
                return mapper.readTree(bytes);
            } catch (Exception notJson) {
                return TextNode.valueOf(new String(bytes, StandardCharsets.UTF_8));
            }
        }
    }
}
