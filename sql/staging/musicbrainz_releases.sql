-- model: staging.musicbrainz_releases
-- key: release_id
-- assert: not_null(title)
-- One row per MusicBrainz release, typed and with its identifiers normalized. Each
-- release's JSON is parsed once, into the fields read here.
with parsed as materialized (
    select
        release_id,
        from_json(r, '{"release-group": {"id": "VARCHAR"}, "title": "VARCHAR", "disambiguation": "VARCHAR",
            "status": "VARCHAR", "date": "VARCHAR", "country": "VARCHAR", "barcode": "VARCHAR",
            "label-info": [{"label": {"name": "VARCHAR"}, "catalog-number": "VARCHAR"}],
            "artist-credit": [{"name": "VARCHAR", "joinphrase": "VARCHAR"}],
            "media": [{"track-count": "VARCHAR"}]}') as j,
        fetched_at, raw_file
    from staging.musicbrainz_release_json
)
select
    release_id,
    j."release-group".id as release_group_id,
    j.title,
    nullif(j.disambiguation, '') as disambiguation,
    j.status,
    j.date as release_date,
    j.country,
    nullif(j.barcode, '') as barcode,
    norm_gtin(j.barcode) as gtin,
    j."label-info"[1].label.name as label,
    j."label-info"[1]."catalog-number" as catalog_number,
    array_to_string(list_transform(j."artist-credit", lambda c: c.name || coalesce(c.joinphrase, '')), '') as artist_credit,
    list_sum(list_transform(j.media, lambda m: try_cast(m."track-count" as integer))) as track_count,
    fetched_at, raw_file
from parsed
