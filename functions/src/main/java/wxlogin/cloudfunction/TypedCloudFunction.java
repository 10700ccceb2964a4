package wxlogin.cloudfunction;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.util.Objects;
import wxlogin.common.Json;

/**
 * A cloud function whose {@code data} binds to a class of its own (a record or a bean, read by
 * the project's one Jackson mapper). Data of another shape is answered 400
 * {@code cloud.callFunction:fail} naming the field, and the function does not run. Members the
 * class does not declare are ignored, {@code userInfo} included unless the class declares it.
 *
 * @param <T> the class {@code data} binds to
 */
public abstract class TypedCloudFunction<T> extends CloudFunction {

    /**
     * The project's mapper without scalar coercion: a number where the class has a string (or the
     * other way round) is a shape the caller got wrong, not something to convert silently.
     */
    private static final ObjectMapper STRICT = strict();

    private final ObjectReader reader;

    protected TypedCloudFunction(Class<T> dataType) {
        // A null for a primitive, a fraction for an int and a number for an enum are shapes the caller got wrong.
        this.reader = STRICT.readerFor(Objects.requireNonNull(dataType, "dataType"))
                .with(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .without(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    }

    private static ObjectMapper strict() {
        ObjectMapper mapper = Json.MAPPER.copy();
        for (LogicalType type : new LogicalType[] {LogicalType.Textual, LogicalType.Integer, LogicalType.Float,
                LogicalType.Boolean}) {
            mapper.coercionConfigFor(type)
                    .setCoercion(CoercionInputShape.Integer, type == LogicalType.Integer || type == LogicalType.Float
                            ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, type == LogicalType.Float ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, type == LogicalType.Boolean ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.String, type == LogicalType.Textual ? CoercionAction.TryConvert : CoercionAction.Fail);
        }
        return mapper;
    }

    /** The function's own code, with {@code data} bound to its class (null when the caller sent none). */
    protected abstract Object call(T data, WxContext context) throws Exception;

    @Override
    protected final Object call(JsonNode data, WxContext context) throws Exception {
        return call(bind(data), context);
    }

    private T bind(JsonNode data) throws BadDataException {
        if (data == null || data.isNull()) {
            return null;
        }
        try {
            return reader.readValue(data);
        } catch (JsonMappingException e) {
            String field = path(e);
            throw new BadDataException(field, field.isEmpty() ? "data does not have the expected shape"
                    : "data." + field + " does not have the expected shape");
        } catch (IOException e) {
            throw new BadDataException("", "data does not have the expected shape");
        }
    }

    /** {@code items[2].count}: the path Jackson followed to the member it could not bind. */
    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }
}
