package wxlogin.local.api;

import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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

/**
 * Reads CloudFormation/SAM YAML into plain maps, lists and scalars, turning the short-form
 * intrinsic tags ({@code !Ref}, {@code !GetAtt}, {@code !Sub} ...) into their long JSON forms
 * ({@code {"Ref": x}}, {@code {"Fn::GetAtt": [a, b]}} ...), the shape CloudFormation itself uses,
 * so the rest of the code only ever sees one form.
 */
public final class CloudFormationYaml {

    private CloudFormationYaml() {
    }

    /** Parses one YAML document; the root must be a mapping. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parse(Reader yaml) {
        LoaderOptions options = new LoaderOptions();
        // CloudFormation rejects a template with a key twice; so do we.
        options.setAllowDuplicateKeys(false);
        // SafeConstructor: a template is data; never let a tag instantiate classes.
        Yaml parser = new Yaml(new Constructor(options));
        Object root = parser.load(yaml);
        if (root == null) {
            return new LinkedHashMap<>();
        }
        if (!(root instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("template root is not a mapping");
        }
        return (Map<String, Object>) root;
    }

    /** Parses YAML text (tests, inline templates). */
    public static Map<String, Object> parse(String yaml) {
        return parse(new java.io.StringReader(yaml));
    }

    private static final class Constructor extends SafeConstructor {
        Constructor(LoaderOptions options) {
            super(options);
            // A prefix ("multi") constructor catches every local tag, including ones CloudFormation
            // adds later: an unknown tag becomes {"Fn::<Name>": value} instead of a parse failure.
            this.yamlMultiConstructors.put("!", new ShortForm());
        }

        private final class ShortForm extends AbstractConstruct {
            @Override
            public Object construct(Node node) {
                String name = node.getTag().getValue().substring(1);
                Object value;
                if (node instanceof ScalarNode scalar) {
                    value = constructScalar(scalar);
                } else if (node instanceof SequenceNode sequence) {
                    value = new ArrayList<>(constructSequence(sequence));
                } else if (node instanceof MappingNode mapping) {
                    value = new LinkedHashMap<>(constructMapping(mapping));
                } else {
                    value = null;
                }
                return longForm(name, value);
            }
        }
    }

    static Map<String, Object> longForm(String tagName, Object value) {
        Map<String, Object> out = new LinkedHashMap<>();
        switch (tagName) {
            case "Ref" -> out.put("Ref", value);
            case "Condition" -> out.put("Condition", value);
            case "GetAtt" -> {
                if (value instanceof String s) {
                    // Scalar form "Resource.Attribute"; attributes may themselves contain dots
                    // (Endpoint.Address), the resource id never does.
                    int dot = s.indexOf('.');
                    out.put("Fn::GetAtt", dot < 0 ? List.of(s) : List.of(s.substring(0, dot), s.substring(dot + 1)));
                } else {
                    out.put("Fn::GetAtt", value);
                }
            }
            default -> out.put("Fn::" + tagName, value);
        }
        return out;
    }
}
