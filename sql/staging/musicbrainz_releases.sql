-- model: staging.musicbrainz_releases
-- key: release_id
-- assert: not_null(title)
-- One row per MusicBrainz release, from the newest response that carried it: a browse
-- page (`releases` array) or a lookup (the release itself).
with pages as (
    select body, fetched_at
    from raw.musicbrainz_releases
    where status = 200 and json_valid(body)
),
releases as (
    select
        unnest(case when json_exists(body, '$.releases') then json_extract(body, '$.releases[*]') else [body::json] end) as r,
        fetched_at
    from pages
)
select
    r ->> 'id' as release_id,
    json_extract_string(r, '$."release-group".id') as release_group_id,
    r ->> 'title' as title,
    nullif(r ->> 'disambiguation', '') as disambiguation,
    r ->> 'status' as status,
    r ->> 'date' as release_date,
    r ->> 'country' as country,
    nullif(r ->> 'barcode', '') as barcode,
    norm_gtin(r ->> 'barcode') as gtin,
    json_extract_string(r, '$."label-info"[0].label.name') as label,
    json_extract_string(r, '$."label-info"[0]."catalog-number"') as catalog_number,
    array_to_string(
        list_transform(json_extract(r, '$."artist-credit"[*]'), lambda c: (c ->> 'name') || coalesce(c ->> 'joinphrase', '')),
        ''
    ) as artist_credit,
    list_sum(json_extract(r, '$.media[*]."track-count"')::integer[]) as track_count,
    fetched_at
from releases
qualify row_number() over (partition by r ->> 'id' order by fetched_at desc) = 1
