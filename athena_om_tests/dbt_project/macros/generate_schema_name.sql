{# A custom schema is the Glue database itself (demo_sales), not <target schema>_demo_sales. #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name is not none else target.schema }}
{%- endmacro %}
