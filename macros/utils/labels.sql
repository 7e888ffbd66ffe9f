{# A NULL group is easy to drop by accident in a join or a filter (Kimball). #}
{%- macro label_missing(column, label='unknown') -%}
    coalesce({{ column }}, '{{ label }}')
{%- endmacro -%}
