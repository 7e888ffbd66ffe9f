{#
    Kimball's rule for dimension attributes that BI tools group by: a missing value is shown as an explicit
    label, never as NULL (a NULL group is easy to drop by accident in a join or a filter). The export may
    leave an item's category empty; the 3NF layer keeps that NULL (the fact is unknown), the marts show
    the label.
#}
{%- macro label_missing(column, label='unknown') -%}
    coalesce({{ column }}, '{{ label }}')
{%- endmacro -%}
