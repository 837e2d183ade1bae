-- model: canonical.releases
-- key: release_id
-- assert: not_null(title)
-- One row per product. A valid GTIN names the release (`gtin:<14 digits>`), so the
-- MusicBrainz release and the Deezer album with the same barcode are one row;
-- without one, the provider's own id does.
with mb as (
    select
        coalesce('gtin:' || gtin, 'musicbrainz:' || release_id) as release_id,
        release_id as musicbrainz_release_id,
        release_group_id, title, artist_credit, release_date, gtin, label, catalog_number, track_count
    from staging.musicbrainz_releases
),
mb_by_release as (
    select
        release_id,
        min(musicbrainz_release_id) as musicbrainz_release_id,
        arg_min(release_group_id, musicbrainz_release_id) as release_group_id,
        arg_min(title, musicbrainz_release_id) as title,
        arg_min(artist_credit, musicbrainz_release_id) as artist,
        min(release_date) as release_date,
        any_value(gtin) as gtin,
        arg_min(label, musicbrainz_release_id) as label,
        arg_min(catalog_number, musicbrainz_release_id) as catalog_number,
        max(track_count) as track_count
    from mb
    group by release_id
),
dz_by_release as (
    select
        coalesce('gtin:' || gtin, 'deezer:' || album_id) as release_id,
        min(album_id) as deezer_album_id,
        arg_min(title, album_id) as title,
        arg_min(artist_name, album_id) as artist,
        min(release_date) as release_date,
        any_value(gtin) as gtin,
        arg_min(label, album_id) as label,
        max(track_count) as track_count,
        max(fans) as deezer_fans
    from staging.deezer_albums
    group by 1
)
select
    release_id,
    coalesce(m.title, d.title) as title,
    coalesce(m.artist, d.artist) as artist,
    coalesce(m.release_date, d.release_date) as release_date,
    coalesce(m.gtin, d.gtin) as gtin,
    coalesce(m.label, d.label) as label,
    m.catalog_number,
    coalesce(m.track_count, d.track_count) as track_count,
    m.release_group_id,
    m.musicbrainz_release_id,
    d.deezer_album_id,
    d.deezer_fans
from mb_by_release m
full outer join dz_by_release d using (release_id)
