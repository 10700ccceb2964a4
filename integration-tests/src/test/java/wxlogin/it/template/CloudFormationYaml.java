// Level: test utility (integration suite) - reads CloudFormation/SAM YAML into plain maps and lists.
package wxlogin.it.template;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Parses a CloudFormation template written in YAML. The short-form intrinsics become their long
 * form, as CloudFormation itself reads them: {@code !Ref X} -> {@code {"Ref": "X"}},
 * {@code !GetAtt A.B} -> {@code {"Fn::GetAtt": ["A", "B"]}}, {@code !Condition C} ->
 * {@code {"Condition": "C"}}, any other {@code !Name v} -> {@code {"Fn::Name": v}}.
 */
public final class CloudFormationYaml {

    private static final List<String> FUNCTIONS = List.of("And", "Base64", "Cidr", "Equals", "FindInMap",
            "GetAZs", "If", "ImportValue", "Join", "Not", "Or", "Select", "Split", "Sub", "Transform",
            "Length", "ToJsonString", "ForEach");

    private CloudFormationYaml() {
    }

    public static Map<String, Object> read(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(reader);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> parse(Reader reader) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Object root = new Yaml(new IntrinsicConstructor(options)).load(reader);
        if (!(root instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("a template must be a YAML mapping");
        }
        return (Map<String, Object>) map;
    }

    public static Map<String, Object> parse(String yaml) {
        return parse(new java.io.StringReader(yaml));
    }

    private static final class IntrinsicConstructor extends SafeConstructor {

        IntrinsicConstructor(LoaderOptions options) {
            super(options);
            yamlConstructors.put(new Tag("!Ref"), new Intrinsic("Ref"));
            yamlConstructors.put(new Tag("!Condition"), new Intrinsic("Condition"));
            yamlConstructors.put(new Tag("!GetAtt"), new GetAtt());
            for (String name : FUNCTIONS) {
                yamlConstructors.put(new Tag("!" + name), new Intrinsic("Fn::" + name));
            }
        }

        private Object value(Node node) {
            return switch (node) {
                case ScalarNode scalar -> constructScalar(scalar);
                case SequenceNode sequence -> constructSequence(sequence);
                case MappingNode mapping -> constructMapping(mapping);
                default -> throw new IllegalArgumentException("unexpected YAML node " + node);
            };
        }

        private final class Intrinsic extends AbstractConstruct {
            private final String key;

            Intrinsic(String key) {
                this.key = key;
            }

            @Override
            public Object construct(Node node) {
                return Map.of(key, value(node));
            }
        }

        private final class GetAtt extends AbstractConstruct {
            @Override
            public Object construct(Node node) {
                Object value = value(node);
                if (value instanceof String text) {
                    int dot = text.indexOf('.');
                    if (dot < 0) {
                        throw new IllegalArgumentException("!GetAtt needs Resource.Attribute, got " + text);
                    }
                    return Map.of("Fn::GetAtt", List.of(text.substring(0, dot), text.substring(dot + 1)));
                }
                return Map.of("Fn::GetAtt", value);
            }
        }
    }
}
